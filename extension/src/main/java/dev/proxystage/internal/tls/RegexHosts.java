package dev.proxystage.internal.tls;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.RegExp;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Derives a concrete host for a regex {@code server_name}: the regex (nginx's PCRE syntax) is translated to a
 * dk.brics automaton, intersected with the language of host names, and its shortest member taken, preferring hosts
 * whose open parts ({@code .*}, {@code [^.]+}) are filled from {@value ServerNames#TRAILING_WILDCARD_TEST_DOMAIN}.
 */
final class RegexHosts {

    private static final String FILL = ServerNames.TRAILING_WILDCARD_TEST_DOMAIN;
    private static final String FILL_LABEL = FILL.substring(0, FILL.indexOf('.'));
    // Upper case too: nginx matches regex names caselessly, and the result is lower-cased.
    private static final String LABEL = "[a-zA-Z0-9_]([-a-zA-Z0-9_]*[a-zA-Z0-9_])?";
    private static final Automaton HOST = new RegExp(LABEL + "(\\." + LABEL + ")*", RegExp.NONE).toAutomaton();
    private static final Automaton ANY = Automaton.makeAnyString();
    // In order of preference: ends in proxystage.test, has a label "proxystage", anything.
    private static final List<Automaton> PREFERENCES = List.of(
            Automaton.makeString(FILL).union(ANY.concatenate(Automaton.makeString("." + FILL))),
            Automaton.makeString(FILL_LABEL + ".").concatenate(ANY)
                    .union(ANY.concatenate(Automaton.makeString("." + FILL_LABEL + ".")).concatenate(ANY))
                    .union(ANY.concatenate(Automaton.makeString("." + FILL_LABEL))),
            ANY);

    private RegexHosts() {
    }

    /** Thrown with a one-line reason when a regex cannot be translated or matches no host name. */
    static final class Untranslatable extends Exception {
        private static final long serialVersionUID = 1L;

        Untranslatable(String reason) {
            super(reason);
        }
    }

    /** A host name {@code regex} (without nginx's {@code ~}) matches in full. */
    static String derive(String regex) throws Untranslatable {
        Automaton matches;
        try {
            matches = new RegExp(translate(regex), RegExp.NONE).toAutomaton().intersection(HOST);
        } catch (IllegalArgumentException e) {
            throw new Untranslatable("ProxyStage cannot read (" + e.getMessage() + ")");
        }
        if (matches.isEmpty()) {
            throw new Untranslatable("matches no host name (lower-case letters, digits, \"-\" and \"_\" in "
                    + "dot-separated labels)");
        }
        for (Automaton preferred : PREFERENCES) {
            Automaton candidates = matches.intersection(preferred);
            if (!candidates.isEmpty()) {
                return candidates.getShortestExample(true).toLowerCase(Locale.ROOT);
            }
        }
        throw new IllegalStateException("unreachable: the last preference accepts everything");
    }

    /**
     * PCRE to brics syntax: anchors at the ends are dropped (a full match also matches unanchored), named and
     * non-capturing groups become plain groups, lazy quantifiers plain ones, {@code \d \w \s} classes, and every
     * other literal is escaped (brics reads {@code \c} as the character c).
     */
    static String translate(String regex) throws Untranslatable {
        StringBuilder out = new StringBuilder(regex.length() + 16);
        int i = 0;
        int end = regex.length();
        if (regex.startsWith("^")) {
            i = 1;
        }
        if (end > i && regex.charAt(end - 1) == '$' && !escaped(regex, end - 1)) {
            end--;
        }
        while (i < end) {
            char c = regex.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= end) {
                        throw new Untranslatable("ends in a lone \"\\\"");
                    }
                    out.append(escape(regex.charAt(i + 1), false));
                    i += 2;
                }
                case '[' -> i = characterClass(regex, i, end, out);
                case '(' -> {
                    i = group(regex, i, out);
                }
                case ')', '|', '.' -> {
                    out.append(c);
                    i++;
                }
                case '*', '+', '?' -> {
                    out.append(c);
                    i = quantifierSuffix(regex, i + 1, end);
                }
                case '{' -> {
                    int close = regex.indexOf('}', i);
                    if (close < 0 || close >= end || !regex.substring(i + 1, close).matches("\\d+(,\\d*)?")) {
                        out.append("\\{"); // PCRE reads a brace that is no quantifier literally
                        i++;
                    } else {
                        out.append(regex, i, close + 1);
                        i = quantifierSuffix(regex, close + 1, end);
                    }
                }
                case '^', '$' -> throw new Untranslatable("uses \"" + c + "\" inside the expression; only a leading ^ "
                        + "and a trailing $ can be turned into a host name");
                default -> {
                    out.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
                    i++;
                }
            }
        }
        return out.toString();
    }

    private static boolean escaped(String regex, int at) {
        int backslashes = 0;
        for (int j = at - 1; j >= 0 && regex.charAt(j) == '\\'; j--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** Drops a lazy {@code ?}; refuses a possessive {@code +}, which changes what matches. */
    private static int quantifierSuffix(String regex, int at, int end) throws Untranslatable {
        if (at < end && regex.charAt(at) == '?') {
            return at + 1;
        }
        if (at < end && regex.charAt(at) == '+') {
            throw new Untranslatable("uses a possessive quantifier (\"" + regex.charAt(at - 1) + "+\")");
        }
        return at;
    }

    private static int group(String regex, int at, StringBuilder out) throws Untranslatable {
        if (!regex.startsWith("(?", at)) {
            out.append('(');
            return at + 1;
        }
        String rest = regex.substring(at);
        if (rest.startsWith("(?:")) {
            out.append('(');
            return at + 3;
        }
        for (String named : List.of("(?<", "(?P<", "(?'")) {
            if (rest.startsWith(named) && !rest.startsWith("(?<=") && !rest.startsWith("(?<!")) {
                int close = regex.indexOf(named.endsWith("'") ? '\'' : '>', at + named.length());
                if (close < 0) {
                    throw new Untranslatable("has an unterminated group name at \"" + rest + "\"");
                }
                out.append('(');
                return close + 1;
            }
        }
        String what = rest.startsWith("(?=") || rest.startsWith("(?!") ? "a lookahead"
                : rest.startsWith("(?<=") || rest.startsWith("(?<!") ? "a lookbehind"
                : rest.startsWith("(?>") ? "an atomic group"
                : rest.startsWith("(?P=") || rest.startsWith("(?P>") || rest.startsWith("(?R") ? "a back-reference"
                : "the construct";
        throw new Untranslatable("uses " + what + " (\"" + rest.substring(0, Math.min(rest.length(), 4)) + "\")");
    }

    private static int characterClass(String regex, int at, int end, StringBuilder out) throws Untranslatable {
        int i = at + 1;
        out.append('[');
        if (i < end && regex.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        boolean first = true;
        while (i < end) {
            char c = regex.charAt(i);
            if (c == ']' && !first) {
                out.append(']');
                return i + 1;
            }
            first = false;
            if (c == '\\') {
                if (i + 1 >= end) {
                    break;
                }
                out.append(escape(regex.charAt(i + 1), true));
                i += 2;
            } else if (c == '[' && i + 1 < end && regex.charAt(i + 1) == ':') {
                throw new Untranslatable("uses a POSIX class (\"" + regex.substring(i, Math.min(end, i + 9)) + "\")");
            } else if (c == '-') {
                // A range dash stays one; at either end of the class it is a literal.
                boolean literal = regex.charAt(i - 1) == '[' || regex.charAt(i - 1) == '^' || i + 1 < end && regex.charAt(i + 1) == ']';
                out.append(literal ? "\\-" : "-");
                i++;
            } else {
                out.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
                i++;
            }
        }
        throw new Untranslatable("has an unterminated character class");
    }

    /** One escape sequence in brics syntax. */
    private static String escape(char c, boolean inClass) throws Untranslatable {
        String range = switch (c) {
            case 'd' -> "0-9";
            case 'w' -> "a-zA-Z0-9_";
            case 's' -> " \t\n\r\f"; // the characters themselves: brics reads "\\t" as "t"
            default -> null;
        };
        if (range != null) {
            return inClass ? range : "[" + range + "]";
        }
        if (!inClass) {
            switch (c) {
                case 'D' -> {
                    return "[^0-9]";
                }
                case 'W' -> {
                    return "[^a-zA-Z0-9_]";
                }
                case 'S' -> {
                    return "[^ \t\n\r\f]";
                }
                default -> {
                }
            }
        }
        switch (c) {
            case 't' -> {
                return "\t";
            }
            case 'n' -> {
                return "\n";
            }
            case 'r' -> {
                return "\r";
            }
            case 'f' -> {
                return "\f";
            }
            default -> {
            }
        }
        if (Character.isLetterOrDigit(c)) {
            throw new Untranslatable("uses \"\\" + c + "\", which ProxyStage cannot turn into a host name"
                    + (Character.isDigit(c) ? " (a back-reference)" : ""));
        }
        return "\\" + c;
    }
}
