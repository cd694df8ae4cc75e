package dev.proxystage.internal.init;

import dev.proxystage.internal.nginx.Location;
import dk.brics.automaton.Automaton;
import dk.brics.automaton.RegExp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
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
    // Capitals last: only where the regex, or a location around it, asks for them (^/SOGo).
    private static final List<String> PATH_SHAPES = List.of(
            "/([a-z]+(/[a-z]+)*/?)?",
            "/([a-z0-9_.\\-]+(/[a-z0-9_.\\-]+)*/?)?",
            "/[a-z/_]*", "/[a-z0-9/_.\\-]*",
            "/([a-zA-Z]+(/[a-zA-Z]+)*/?)?",
            "/([a-zA-Z0-9_.\\-]+(/[a-zA-Z0-9_.\\-]+)*/?)?",
            "/[a-zA-Z0-9/_.\\-]*");

    private RegexSamples() {
    }

    /** A host name the {@code server_name} regex (without its {@code ~}) matches, as nginx does: caseless, found. */
    static Optional<String> hostName(String regex) {
        return regex(regex, true).flatMap(host -> sample(List.of(host), HOST_SHAPES));
    }

    /** A URI path the {@code location} regex matches; {@code caseless} for {@code ~*}. */
    static Optional<String> path(String regex, boolean caseless) {
        return path(regex, caseless, List.of());
    }

    /**
     * A URI path the {@code location} regex matches that also reaches it through the locations it is nested in
     * ({@code around}, outermost first): nginx only looks inside a location the URI matched.
     */
    static Optional<String> path(String regex, boolean caseless, List<Location> around) {
        List<Language> all = new ArrayList<>();
        for (Location outer : around) {
            Optional<Language> language = switch (outer.modifier()) {
                case PREFIX, PREFERRED_PREFIX -> Optional.of(Language.literal(outer.pattern(), true));
                case EXACT -> Optional.of(Language.literal(outer.pattern(), false));
                case REGEX -> regex(outer.pattern(), false);
                case REGEX_CASE_INSENSITIVE -> regex(outer.pattern(), true);
                case NAMED -> Optional.empty();
            };
            if (language.isEmpty()) {
                return Optional.empty();
            }
            all.add(language.get());
        }
        Optional<Language> own = regex(regex, caseless);
        if (own.isEmpty()) {
            return Optional.empty();
        }
        all.add(own.get());
        return sample(all, PATH_SHAPES);
    }

    /** The strings a location or server name accepts: an automaton, and the test a sample must pass. */
    private record Language(Automaton automaton, Predicate<String> accepts) {

        static Language literal(String text, boolean prefix) {
            Automaton exact = Automaton.makeString(text);
            return new Language(prefix ? exact.concatenate(Automaton.makeAnyString()) : exact,
                    s -> prefix ? s.startsWith(text) : s.equals(text));
        }
    }

    private static Optional<Language> regex(String regex, boolean caseless) {
        Optional<String> translated = translate(regex, caseless);
        if (translated.isEmpty()) {
            return Optional.empty();
        }
        Automaton language;
        try {
            language = new RegExp(translated.get(), RegExp.NONE).toAutomaton();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Pattern check;
        try {
            check = Pattern.compile(regex.replace("(?P<", "(?<"), caseless ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
        return Optional.of(new Language(language, s -> check.matcher(s).find()));
    }

    private static Optional<String> sample(List<Language> languages, List<String> shapes) {
        Automaton all = languages.get(0).automaton();
        for (Language language : languages.subList(1, languages.size())) {
            all = all.intersection(language.automaton());
        }
        for (String shape : shapes) {
            Automaton shaped = all.intersection(new RegExp(shape, RegExp.NONE).toAutomaton());
            String example = lowerWherePossible(shaped, shaped.getShortestExample(true));
            // The translation is ours: Java's own regex engine has the last word.
            if (example != null && languages.stream().allMatch(l -> l.accepts().test(example))) {
                return Optional.of(example);
            }
        }
        return Optional.empty();
    }

    /** The shortest example takes capitals (they sort first) wherever either case goes: lower case reads better. */
    private static String lowerWherePossible(Automaton language, String example) {
        if (example == null) {
            return null;
        }
        char[] chars = example.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char upper = chars[i];
            if (upper >= 'A' && upper <= 'Z') {
                chars[i] = Character.toLowerCase(upper);
                if (!language.run(new String(chars))) {
                    chars[i] = upper;
                }
            }
        }
        return new String(chars);
    }

    /**
     * The regex in dk.brics syntax, matching the whole string where PCRE would find a match; empty if it cannot.
     * {@code caseless}: every letter also stands for its other case.
     */
    private static Optional<String> translate(String regex, boolean caseless) {
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
        int classStart = 0;
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
                    if (caseless) {
                        // [a-z_] stands for [a-z_A-Z_a-z_]: the class in both cases (a negated one too).
                        String content = out.substring(classStart);
                        out.append(content.toUpperCase(Locale.ROOT)).append(content.toLowerCase(Locale.ROOT));
                    }
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
                classStart = out.length();
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
            } else if (caseless && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                out.append('[').append(Character.toLowerCase(c)).append(Character.toUpperCase(c)).append(']');
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
