package dev.proxystage.internal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Variable interpolation as the compose specification defines it: {@code $VAR} and {@code ${VAR}};
 * {@code ${VAR:-default}} (unset or empty), {@code ${VAR-default}} (unset); {@code ${VAR:?err}} and
 * {@code ${VAR?err}} (an error when unset or empty, or unset); {@code ${VAR:+alt}} and {@code ${VAR+alt}};
 * operands that are themselves interpolated ({@code ${A:-${B:-x}}}); {@code $$} for a literal {@code $}. A
 * {@code $} that starts no variable name is kept as written; an unset variable without a default becomes empty, as
 * compose has it (with a warning, here a callback).
 */
public final class ComposeInterpolation {

    /** A variable required by {@code :?} or {@code ?} is missing, or a {@code ${…}} is malformed. */
    public static final class Failure extends Exception {
        private final String variable;

        Failure(String variable, String message) {
            super(message);
            this.variable = variable;
        }

        /** The variable it is about; empty for a malformed expression. */
        public Optional<String> variable() {
            return Optional.ofNullable(variable);
        }
    }

    /** The result and the variables it read, in order of first use, each once. */
    public record Result(String value, List<String> variables, List<String> unset) {
        public Result {
            variables = List.copyOf(variables);
            unset = List.copyOf(unset);
        }
    }

    private final Function<String, Optional<String>> lookup;
    private final List<String> variables = new ArrayList<>();
    private final List<String> unset = new ArrayList<>();

    private ComposeInterpolation(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /**
     * Interpolates {@code text}.
     *
     * @param lookup a variable's value, empty when it is unset (an empty string is a set, empty variable)
     * @throws Failure when a required variable is missing or an expression is malformed
     */
    public static Result interpolate(String text, Function<String, Optional<String>> lookup) throws Failure {
        ComposeInterpolation i = new ComposeInterpolation(lookup);
        String value = i.expand(text);
        return new Result(value, i.variables, i.unset);
    }

    /** Whether {@code text} holds anything interpolation would change. */
    public static boolean hasVariables(String text) {
        return text.indexOf('$') >= 0;
    }

    private String expand(String text) throws Failure {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int end = closingBrace(text, i + 2);
                if (end < 0) {
                    throw new Failure(null, "invalid interpolation format for \"" + text + "\": \"${\" without its \"}\"");
                }
                out.append(braced(text.substring(i + 2, end), text));
                i = end + 1;
            } else if (isNameStart(next)) {
                int end = i + 1;
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                String name = text.substring(i + 1, end);
                Optional<String> value = value(name);
                if (value.isEmpty()) {
                    unset(name);
                }
                out.append(value.orElse(""));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The body of {@code ${…}}: a name, then nothing or an operator and its operand. */
    private String braced(String body, String whole) throws Failure {
        int n = 0;
        while (n < body.length() && (n == 0 ? isNameStart(body.charAt(n)) : isNamePart(body.charAt(n)))) {
            n++;
        }
        if (n == 0) {
            throw new Failure(null, "invalid interpolation format for \"" + whole + "\": \"${" + body
                    + "}\" names no variable");
        }
        String name = body.substring(0, n);
        String rest = body.substring(n);
        Optional<String> value = value(name);
        if (rest.isEmpty()) {
            if (value.isEmpty()) {
                unset(name);
            }
            return value.orElse("");
        }
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(0, Math.min(2, rest.length())) : rest.substring(0, 1);
        String operand = rest.substring(op.length());
        // With a colon, an empty value counts as unset.
        boolean present = colon ? value.filter(v -> !v.isEmpty()).isPresent() : value.isPresent();
        switch (op) {
            case ":-", "-" -> {
                return present ? value.orElseThrow() : expand(operand);
            }
            case ":?", "?" -> {
                if (present) {
                    return value.orElseThrow();
                }
                String message = expand(operand);
                throw new Failure(name, "required variable " + name + " is " + (value.isPresent() ? "empty" : "not set")
                        + (message.isEmpty() ? "" : ": " + message));
            }
            case ":+", "+" -> {
                return present ? expand(operand) : "";
            }
            default -> throw new Failure(null, "invalid interpolation format for \"" + whole + "\": \"${" + body
                    + "}\" (compose knows :-, -, :?, ?, :+ and +, not shell patterns)");
        }
    }

    private Optional<String> value(String name) {
        if (!variables.contains(name)) {
            variables.add(name);
        }
        return lookup.apply(name);
    }

    private void unset(String name) {
        if (!unset.contains(name)) {
            unset.add(name);
        }
    }

    /** The index of the {@code }} that closes a {@code ${} whose body starts at {@code from}, nested ones skipped. */
    private static int closingBrace(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                i++;
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }
}
