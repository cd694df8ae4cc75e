package dev.proxystage.internal.init;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.RegExp;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A shortest concrete string an nginx (PCRE) regex matches within a shape: a host name for a regex
 * {@code server_name}, a URI path for a regex {@code location}. The regex becomes a finite automaton (dk.brics),
 * intersected with the shape, so the sample is both matched and well-formed; constructs an automaton cannot express
 * (look-arounds, back-references, {@code \s}, {@code \b}, inline flags) give no sample. An anchor inside the regex
 * ({@code (/|$)}) is dropped for the automaton and kept by the Java regex that checks the sample.
 */
final class RegexSamples {

    // Letters first for readable names (alice-style "a.pages.example.com"), digits when the regex wants them.
    private static final List<String> HOST_SHAPES = List.of(
            "([a-z]+\\.)+[a-z]+",
            "([a-z0-9]([a-z0-9\\-]*[a-z0-9])?\\.)+[a-z]([a-z0-9\\-]*[a-z0-9])?");
    // Paths without an empty segment first: nginx merges "//" before it matches locations, so a sample such as
    // "/_/static//" for ^/[^/]+/static/.+$ would reach another location. Letters before '_' for readable paths.
    private static final List<String> PATH_SHAPES = List.of(
            "/([a-z]+(/[a-z]+)*/?)?",
            "/([a-z0-9_.\\-]+(/[a-z0-9_.\\-]+)*/?)?",
            "/[a-z/_]*", "/[a-z0-9/_.\\-]*");

    private RegexSamples() {
    }

    /** A host name the {@code server_name} regex (without its {@code ~}) matches, as nginx does: caseless, found. */
    static Optional<String> hostName(String regex) {
        return sample(regex, HOST_SHAPES, Pattern.CASE_INSENSITIVE);
    }

    /** A URI path the {@code location} regex matches; {@code caseless} for {@code ~*}. */
    static Optional<String> path(String regex, boolean caseless) {
        return sample(regex, PATH_SHAPES, caseless ? Pattern.CASE_INSENSITIVE : 0);
    }

    private static Optional<String> sample(String regex, List<String> shapes, int javaFlags) {
        Optional<String> translated = translate(regex);
        if (translated.isEmpty()) {
            return Optional.empty();
        }
        // Caseless: the shapes are lower case, so the lower-cased regex is the part of it they can meet. No letter
        // escape survives translation, so lower-casing changes no operator.
        String brics = (javaFlags & Pattern.CASE_INSENSITIVE) != 0 ? translated.get().toLowerCase(Locale.ROOT)
                : translated.get();
        Automaton language;
        try {
            language = new RegExp(brics, RegExp.NONE).toAutomaton();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Pattern check;
        try {
            check = Pattern.compile(regex.replace("(?P<", "(?<"), javaFlags);
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
        for (String shape : shapes) {
            String example = language.intersection(new RegExp(shape, RegExp.NONE).toAutomaton()).getShortestExample(true);
            // The translation is ours: Java's own regex engine has the last word.
            if (example != null && check.matcher(example).find()) {
                return Optional.of(example);
            }
        }
        return Optional.empty();
    }

    /** The regex in dk.brics syntax, matching the whole string where PCRE would find a match; empty if it cannot. */
    static Optional<String> translate(String regex) {
        String body = regex;
        boolean anchoredStart = body.startsWith("^");
        if (anchoredStart) {
            body = body.substring(1);
        }
        boolean anchoredEnd = body.endsWith("$") && !escapedAt(body, body.length() - 1);
        if (anchoredEnd) {
            body = body.substring(0, body.length() - 1);
        }
        StringBuilder out = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\') {
                if (i + 1 >= body.length()) {
                    return Optional.empty();
                }
                char e = body.charAt(++i);
                switch (e) {
                    case 'd' -> out.append(inClass ? "0-9" : "[0-9]");
                    case 'w' -> out.append(inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]");
                    default -> {
                        if (Character.isLetterOrDigit(e)) {
                            return Optional.empty();
                        }
                        out.append('\\').append(e);
                    }
                }
            } else if (inClass) {
                if (c == ']') {
                    inClass = false;
                    out.append(c);
                } else if (c == '[' || c == '"') {
                    out.append('\\').append(c);
                } else {
                    out.append(c);
                }
            } else if (c == '[') {
                inClass = true;
                out.append(c);
                if (i + 1 < body.length() && body.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                // A "]" right after "[" or "[^" is a literal in PCRE.
                if (i + 1 < body.length() && body.charAt(i + 1) == ']') {
                    out.append("\\]");
                    i++;
                }
            } else if (c == '(') {
                if (body.startsWith("(?:", i)) {
                    i += 2;
                } else if (body.startsWith("(?<", i) && i + 3 < body.length() && Character.isLetter(body.charAt(i + 3))
                        || body.startsWith("(?P<", i)) {
                    int close = body.indexOf('>', i);
                    if (close < 0) {
                        return Optional.empty();
                    }
                    i = close;
                } else if (body.startsWith("(?", i)) {
                    return Optional.empty();
                }
                out.append('(');
            } else if (c == '^' || c == '$') {
                // An anchor inside (^/api(/|$), \.php(?:$|/)) is a condition an automaton cannot hold: it becomes
                // the empty string, which only widens the language, and Java's check of the sample keeps the anchor.
                out.append("()");
            } else if (c == '"' || c == '<' || c == '>' || c == '&' || c == '~' || c == '#' || c == '@') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        if (inClass) {
            return Optional.empty();
        }
        String core = "(" + out + ")";
        return Optional.of((anchoredStart ? "" : ".*") + core + (anchoredEnd ? "" : ".*"));
    }

    private static boolean escapedAt(String s, int index) {
        int backslashes = 0;
        for (int i = index - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }
}
