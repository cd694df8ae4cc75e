package dev.proxystage.internal.nginx;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An nginx (PCRE) regular expression as a Java {@link Pattern} that matches exactly the same strings, or nothing
 * when it uses a construct the two engines read differently: better no answer than a wrong one.
 *
 * <p>Translated: {@code (?P<name>...)}, {@code (?'name'...)} and names with "_" (Java allows letters and digits
 * only), {@code (?P=name)}, {@code \k{name}}, POSIX classes ({@code [[:alpha:]]}), a "[" or "&" inside a class
 * (literal in PCRE, nesting and intersection in Java), a "{" that does not start a quantifier (literal in PCRE, an
 * error in Java). Refused: recursion, subroutine calls, conditionals, branch reset, {@code \K}, {@code \g},
 * backtracking verbs, callouts, comments and the inline flags whose meaning differs ({@code U}, {@code J},
 * {@code X}).
 */
public final class NginxRegex {

    private static final Map<String, String> POSIX = Map.ofEntries(
            Map.entry("alnum", "\\p{Alnum}"), Map.entry("alpha", "\\p{Alpha}"), Map.entry("ascii", "\\p{ASCII}"),
            Map.entry("blank", "\\p{Blank}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("digit", "\\p{Digit}"),
            Map.entry("graph", "\\p{Graph}"), Map.entry("lower", "\\p{Lower}"), Map.entry("print", "\\p{Print}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("space", "\\s"), Map.entry("upper", "\\p{Upper}"),
            Map.entry("word", "\\w"), Map.entry("xdigit", "\\p{XDigit}"));

    /** Escapes PCRE and Java read alike, outside and inside classes. */
    private static final String SAME_LETTER_ESCAPES = "dDwWsShHvVRbBAzZGtnrfeaQE";

    private static final Pattern QUANTIFIER = Pattern.compile("\\{\\d+(,\\d*)?}");

    private final Pattern pattern;
    private final Map<String, String> groupNames;

    private NginxRegex(Pattern pattern, Map<String, String> groupNames) {
        this.pattern = pattern;
        this.groupNames = Map.copyOf(groupNames);
    }

    /** The regex as nginx compiles it for {@code location ~}, {@code rewrite} and {@code if}; caseless for ~*. */
    public static Optional<NginxRegex> compile(String pcre, boolean caseless) {
        Map<String, String> names = new LinkedHashMap<>();
        Optional<String> java = translate(pcre, names);
        if (java.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new NginxRegex(Pattern.compile(java.get(), caseless ? Pattern.CASE_INSENSITIVE : 0),
                    names));
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
    }

    /** The Java pattern. */
    public Pattern pattern() {
        return pattern;
    }

    /** A match anywhere in {@code text}, as PCRE searches: its numbered and named captures, or empty. */
    public Optional<Captures> find(String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        String[] numbered = new String[m.groupCount() + 1];
        for (int i = 0; i <= m.groupCount(); i++) {
            numbered[i] = m.group(i) == null ? "" : m.group(i);
        }
        Map<String, String> named = new LinkedHashMap<>();
        groupNames.forEach((nginxName, javaName) -> {
            String value = m.group(javaName);
            named.put(nginxName, value == null ? "" : value);
        });
        return Optional.of(new Captures(numbered, named));
    }

    /** What one match captured: {@code $0}..{@code $n} and the named groups by their nginx names. */
    public record Captures(String[] numbered, Map<String, String> named) {

        public static final Captures NONE = new Captures(new String[0], Map.of());

        public Captures {
            numbered = numbered.clone();
            named = Map.copyOf(named);
        }

        /** {@code $n}: empty when the regex has no such group, as nginx gives. */
        public String group(int n) {
            return n < numbered.length ? numbered[n] : "";
        }
    }

    /** The Java spelling of {@code pcre}, or empty when it holds a construct Java reads otherwise. */
    static Optional<String> translate(String pcre, Map<String, String> names) {
        StringBuilder out = new StringBuilder();
        int n = pcre.length();
        int i = 0;
        while (i < n) {
            char c = pcre.charAt(i);
            if (c == '\\') {
                int end = escape(pcre, i, out, false, names);
                if (end < 0) {
                    return Optional.empty();
                }
                i = end;
            } else if (c == '[') {
                int end = characterClass(pcre, i, out);
                if (end < 0) {
                    return Optional.empty();
                }
                i = end;
            } else if (c == '(') {
                int end = group(pcre, i, out, names);
                if (end < 0) {
                    return Optional.empty();
                }
                i = end;
            } else if (c == '{') {
                Matcher q = QUANTIFIER.matcher(pcre).region(i, n);
                if (q.lookingAt() && i > 0) {
                    out.append(q.group());
                    i = q.end();
                } else {
                    out.append("\\{");
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return Optional.of(out.toString());
    }

    /** An escape at {@code i}; returns the index after it, or -1 when Java cannot say the same. */
    private static int escape(String s, int i, StringBuilder out, boolean inClass, Map<String, String> names) {
        if (i + 1 >= s.length()) {
            return -1;
        }
        char e = s.charAt(i + 1);
        if (e == 'Q') {
            // Quoted text up to \E (or the end) is literal in both engines.
            int end = s.indexOf("\\E", i + 2);
            String literal = end < 0 ? s.substring(i + 2) : s.substring(i + 2, end);
            out.append(Pattern.quote(literal));
            return end < 0 ? s.length() : end + 2;
        }
        if (e == 'E') {
            return i + 2; // a stray \E is ignored by PCRE
        }
        if (inClass && e == 'b') {
            out.append("\\x08"); // backspace inside a class
            return i + 2;
        }
        if (SAME_LETTER_ESCAPES.indexOf(e) >= 0) {
            if (inClass && "bBAzZGR".indexOf(e) >= 0) {
                return -1;
            }
            out.append('\\').append(e);
            return i + 2;
        }
        if (e == 'x') {
            if (i + 2 < s.length() && s.charAt(i + 2) == '{') {
                int close = s.indexOf('}', i + 3);
                if (close < 0) {
                    return -1;
                }
                out.append(s, i, close + 1);
                return close + 1;
            }
            int j = i + 2;
            while (j < s.length() && j < i + 4 && isHex(s.charAt(j))) {
                j++;
            }
            // PCRE takes up to two hex digits, Java wants exactly two.
            String hex = s.substring(i + 2, j);
            out.append(String.format("\\x%02x", hex.isEmpty() ? 0 : Integer.parseInt(hex, 16)));
            return j;
        }
        if (e == 'c') {
            if (i + 2 >= s.length()) {
                return -1;
            }
            out.append(s, i, i + 3);
            return i + 3;
        }
        if (e == 'p' || e == 'P') {
            // Property names differ between the engines; Java's compile has the last word on the spelling.
            if (i + 2 < s.length() && s.charAt(i + 2) == '{') {
                int close = s.indexOf('}', i + 3);
                if (close < 0) {
                    return -1;
                }
                String name = s.substring(i + 3, close);
                if (!name.matches("L|Lu|Ll|N|Nd|P|S|Z|Zs|L&")) {
                    return -1;
                }
                out.append(s, i, close + 1);
                return close + 1;
            }
            return -1;
        }
        if (e == 'k' && !inClass) {
            if (i + 2 >= s.length()) {
                return -1;
            }
            char open = s.charAt(i + 2);
            char closeChar = open == '<' ? '>' : open == '{' ? '}' : open == '\'' ? '\'' : 0;
            if (closeChar == 0) {
                return -1;
            }
            int close = s.indexOf(closeChar, i + 3);
            if (close < 0) {
                return -1;
            }
            String javaName = names.get(s.substring(i + 3, close));
            if (javaName == null) {
                return -1;
            }
            out.append("\\k<").append(javaName).append('>');
            return close + 1;
        }
        if (e >= '0' && e <= '9') {
            if (inClass) {
                return -1; // octal or not: PCRE's rules here are subtle
            }
            if (e == '0') {
                int j = i + 2;
                while (j < s.length() && j < i + 4 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
                    j++;
                }
                String octal = s.substring(i + 2, j);
                out.append(String.format("\\x%02x", octal.isEmpty() ? 0 : Integer.parseInt(octal, 8)));
                return j;
            }
            // A back-reference \1..\9 (a second digit would make PCRE guess between octal and reference).
            if (i + 2 < s.length() && Character.isDigit(s.charAt(i + 2))) {
                return -1;
            }
            out.append('\\').append(e);
            return i + 2;
        }
        if (Character.isLetter(e)) {
            return -1; // \K, \g, \N, \X, \C, and others ... nothing Java reads the same way
        }
        out.append('\\').append(e);
        return i + 2;
    }

    /** A class starting at {@code i}: PCRE's literal "[" and "]"-first, POSIX names; the index after it or -1. */
    private static int characterClass(String s, int i, StringBuilder out) {
        int j = i + 1;
        out.append('[');
        if (j < s.length() && s.charAt(j) == '^') {
            out.append('^');
            j++;
        }
        if (j < s.length() && s.charAt(j) == ']') {
            out.append("\\]");
            j++;
        }
        Map<String, String> unused = new LinkedHashMap<>();
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == ']') {
                out.append(']');
                return j + 1;
            }
            if (c == '[' && j + 1 < s.length() && s.charAt(j + 1) == ':') {
                int close = s.indexOf(":]", j + 2);
                if (close < 0) {
                    return -1;
                }
                String name = s.substring(j + 2, close);
                boolean negated = name.startsWith("^");
                String java = POSIX.get(negated ? name.substring(1) : name);
                if (java == null) {
                    return -1;
                }
                out.append(negated ? negate(java) : java);
                j = close + 2;
            } else if (c == '\\') {
                int end = escape(s, j, out, true, unused);
                if (end < 0) {
                    return -1;
                }
                j = end;
            } else if (c == '[' || c == '&' || c == '{' || c == '}') {
                out.append('\\').append(c);
                j++;
            } else {
                out.append(c);
                j++;
            }
        }
        return -1; // unterminated: PCRE refuses it too
    }

    private static String negate(String javaClass) {
        if (javaClass.startsWith("\\p")) {
            return "\\P" + javaClass.substring(2);
        }
        return javaClass.toUpperCase(Locale.ROOT); // \s -> \S, \w -> \W
    }

    /** A group opening at {@code i}; writes its opening and returns the index after it, or -1. */
    private static int group(String s, int i, StringBuilder out, Map<String, String> names) {
        if (i + 1 >= s.length() || s.charAt(i + 1) != '?') {
            if (i + 1 < s.length() && s.charAt(i + 1) == '*') {
                return -1; // (*VERB)
            }
            out.append('(');
            return i + 1;
        }
        String rest = s.substring(i);
        for (String same : new String[]{"(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"}) {
            if (rest.startsWith(same)) {
                out.append(same);
                return i + same.length();
            }
        }
        String open = rest.startsWith("(?P<") ? "(?P<" : rest.startsWith("(?<") ? "(?<"
                : rest.startsWith("(?'") ? "(?'" : null;
        if (open != null) {
            char closeChar = open.endsWith("'") ? '\'' : '>';
            int close = s.indexOf(closeChar, i + open.length());
            if (close < 0) {
                return -1;
            }
            String name = s.substring(i + open.length(), close);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || names.containsKey(name)) {
                return -1;
            }
            String javaName = name.matches("[A-Za-z][A-Za-z0-9]*") && !names.containsValue(name) ? name
                    : "g" + names.size() + "x" + name.replaceAll("[^A-Za-z0-9]", "");
            names.put(name, javaName);
            out.append("(?<").append(javaName).append('>');
            return close + 1;
        }
        if (rest.startsWith("(?P=")) {
            int close = s.indexOf(')', i);
            String javaName = close < 0 ? null : names.get(s.substring(i + 4, close));
            if (javaName == null) {
                return -1;
            }
            out.append("(\\k<").append(javaName).append(">)");
            return close + 1;
        }
        // Inline flags: (?i) (?-i) (?i: ... ; only the letters both engines read alike.
        int j = i + 2;
        while (j < s.length() && "imsx-".indexOf(s.charAt(j)) >= 0) {
            j++;
        }
        if (j > i + 2 && j < s.length() && (s.charAt(j) == ')' || s.charAt(j) == ':')) {
            if (s.substring(i + 2, j).indexOf('x') >= 0) {
                return -1; // extended mode: whitespace and "#" rules differ in classes
            }
            out.append(s, i, j + 1);
            return j + 1;
        }
        return -1; // (?R), (?1), (?&name), (?P>name), (?|, (?(, (?#, (?C, (?U) ...
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
