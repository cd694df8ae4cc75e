package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An environment file as compose reads {@code env_file}: {@code VAR=VAL} lines, {@code #} comments, blank lines;
 * {@code 'single'} quotes literal, {@code "double"} quotes with {@code \n}, {@code \r}, {@code \t}, {@code \\} and
 * escaped quotes; an unquoted value's comment starts at a space before {@code #}; unquoted and double-quoted values
 * interpolated (the file's earlier variables first, then the environment); {@code VAR=} is empty, a lone
 * {@code VAR} is unset (left out). A leading {@code export } is allowed.
 */
public final class EnvFile {

    private EnvFile() {
    }

    /**
     * @param outside variables from outside the file (the environment), empty when unset
     * @throws ProxyStageException {@code file:line: message} for a line that is no assignment, an unclosed quote or
     *                             a failed interpolation
     */
    public static Map<String, String> parse(Path file, String text, Function<String, Optional<String>> outside) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int index = 0; index < lines.length; index++) {
            int lineNumber = index + 1;
            String line = lines[index].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).stripLeading();
            }
            int eq = line.indexOf('=');
            String name = (eq < 0 ? line : line.substring(0, eq)).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                throw new ProxyStageException(file + ":" + lineNumber + ": '" + shorten(name)
                        + "' is not a variable name (VAR=VALUE lines, # comments)");
            }
            if (eq < 0) {
                continue; // a name alone: unset
            }
            String raw = line.substring(eq + 1).stripLeading();
            String value;
            boolean interpolate;
            if (raw.startsWith("\"") || raw.startsWith("'")) {
                char quote = raw.charAt(0);
                StringBuilder quoted = new StringBuilder();
                String rest = raw.substring(1);
                int start = lineNumber;
                int closing;
                while ((closing = closingQuote(rest, quote)) < 0) {
                    // a quoted value may go on over several lines
                    if (index + 1 >= lines.length) {
                        throw new ProxyStageException(file + ":" + start + ": the value of " + name + " opens a "
                                + (quote == '"' ? "double" : "single") + " quote that is never closed");
                    }
                    quoted.append(rest).append('\n');
                    rest = lines[++index];
                }
                quoted.append(rest, 0, closing);
                String after = rest.substring(closing + 1).strip();
                if (!after.isEmpty() && !after.startsWith("#")) {
                    throw new ProxyStageException(file + ":" + (index + 1) + ": '" + shorten(after) + "' after the"
                            + " quoted value of " + name + " (a comment starts with #)");
                }
                value = quote == '"' ? unescape(quoted.toString()) : quoted.toString().replace("\\'", "'");
                interpolate = quote == '"';
            } else {
                int comment = raw.indexOf(" #");
                value = (comment < 0 ? raw : raw.substring(0, comment)).strip();
                interpolate = true;
            }
            if (interpolate && ComposeInterpolation.hasVariables(value)) {
                try {
                    value = ComposeInterpolation.interpolate(value, v -> values.containsKey(v)
                            ? Optional.of(values.get(v)) : outside.apply(v)).value();
                } catch (ComposeInterpolation.Failure e) {
                    throw new ProxyStageException(file + ":" + lineNumber + ": " + name + ": " + e.getMessage());
                }
            }
            values.put(name, value);
        }
        return values;
    }

    /** The index of the quote that closes a value, a backslash-escaped quote skipped; -1 when there is none. */
    private static int closingQuote(String text, char quote) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case '\'' -> out.append('\'');
                default -> out.append('\\').append(next);
            }
        }
        return out.toString();
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}
