package dev.proxystage.internal.nginx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The few regex mistakes that PCRE2 (nginx's regex library) and Java's {@link Pattern} both refuse, reported with
 * PCRE2's own message and position as nginx prints them: a group never closed, a ")" that closes nothing, a "[" class
 * never closed, a quantifier with nothing to repeat, a trailing "\". Anything else is left to nginx: the two engines
 * differ in many corners, and a pattern PCRE2 accepts must never be refused here.
 */
final class PcreSyntax {

    private PcreSyntax() {
    }

    /**
     * nginx's message for {@code pattern}, e.g. {@code pcre2_compile() failed: missing closing parenthesis in "^/(a"},
     * or empty when the pattern is fine or this check cannot be sure it is not.
     */
    static Optional<String> check(String pattern) {
        Optional<Failure> failure = scan(pattern);
        if (failure.isEmpty() || javaAccepts(pattern)) {
            return Optional.empty();
        }
        Failure f = failure.get();
        String text = "pcre2_compile() failed: " + f.message + " in \"" + pattern + "\"";
        return Optional.of(f.offset >= pattern.length() ? text : text + " at \"" + pattern.substring(f.offset) + "\"");
    }

    /** The names of the named groups, (?<name>...), (?'name'...) and (?P<name>...), in order. */
    static List<String> namedGroups(String pattern) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c != '(' || !pattern.startsWith("?", i + 1)) {
                continue;
            }
            int start;
            char close;
            if (pattern.startsWith("?P<", i + 1)) {
                start = i + 4;
                close = '>';
            } else if (pattern.startsWith("?<", i + 1) && i + 3 < pattern.length()
                    && pattern.charAt(i + 3) != '=' && pattern.charAt(i + 3) != '!') {
                start = i + 3;
                close = '>';
            } else if (pattern.startsWith("?'", i + 1)) {
                start = i + 3;
                close = '\'';
            } else {
                continue;
            }
            int end = pattern.indexOf(close, start);
            if (end > start) {
                names.add(pattern.substring(start, end));
            }
        }
        return names;
    }

    private record Failure(String message, int offset) {
    }

    /** What came last, for the quantifier rule: nothing to repeat, an item, a quantifier, or unsure. */
    private enum Last { NOTHING, ITEM, QUANTIFIER, MARKED_QUANTIFIER, UNSURE }

    private static Optional<Failure> scan(String p) {
        if (p.contains("(?x") || p.contains("(*")) {
            return Optional.empty(); // extended mode and verbs change what a character means: not judged
        }
        Deque<Boolean> groups = new ArrayDeque<>(); // true: a "(?" extension group
        Last last = Last.NOTHING;
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= p.length()) {
                        return Optional.of(new Failure("\\ at end of pattern", p.length()));
                    }
                    if (p.charAt(i + 1) == 'Q') {
                        int end = p.indexOf("\\E", i + 2);
                        i = end < 0 ? p.length() : end + 2;
                    } else {
                        i += 2;
                    }
                    // an escape may be an assertion (\b, \A) or take braces (\x{41}): not judged after it
                    last = Last.UNSURE;
                    continue;
                }
                case '[' -> {
                    int end = classEnd(p, i);
                    if (end < 0) {
                        return Optional.of(new Failure("missing terminating ] for character class", p.length()));
                    }
                    i = end + 1;
                    last = Last.ITEM;
                    continue;
                }
                case '(' -> {
                    if (p.startsWith("(?#", i)) {
                        int end = p.indexOf(')', i);
                        if (end < 0) {
                            return Optional.empty();
                        }
                        i = end + 1;
                        continue;
                    }
                    boolean extension = p.startsWith("(?", i);
                    groups.push(extension);
                    // "(?" opens an extension whose letters are no items: not judged inside it
                    last = extension ? Last.UNSURE : Last.NOTHING;
                    i += extension ? 2 : 1;
                    continue;
                }
                case ')' -> {
                    if (groups.isEmpty()) {
                        return Optional.of(new Failure("unmatched closing parenthesis", i));
                    }
                    last = groups.pop() ? Last.UNSURE : Last.ITEM;
                }
                case '|' -> last = groups.isEmpty() || !groups.peek() ? Last.NOTHING : Last.UNSURE;
                case '*', '+', '?' -> {
                    switch (last) {
                        case NOTHING, MARKED_QUANTIFIER -> {
                            return Optional.of(new Failure("quantifier does not follow a repeatable item", i));
                        }
                        case QUANTIFIER -> {
                            if (c == '*') {
                                return Optional.of(new Failure("quantifier does not follow a repeatable item", i));
                            }
                            last = Last.MARKED_QUANTIFIER; // lazy "?" or possessive "+"
                        }
                        case ITEM -> last = Last.QUANTIFIER;
                        default -> last = Last.UNSURE;
                    }
                }
                // a {n,m} quantifier or a literal brace; "^" and "$" are assertions: not judged after them
                case '{', '^', '$' -> last = Last.UNSURE;
                default -> last = Last.ITEM;
            }
            i++;
        }
        if (!groups.isEmpty()) {
            return Optional.of(new Failure("missing closing parenthesis", p.length()));
        }
        return Optional.empty();
    }

    /** The index of the "]" closing the class that opens at {@code open}, or -1. */
    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && p.charAt(i) == '^') {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++; // a "]" first in the class is a literal
        }
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '[' && i + 1 < p.length() && ":.=".indexOf(p.charAt(i + 1)) >= 0) {
                int end = p.indexOf(p.charAt(i + 1) + "]", i + 2);
                if (end > 0) {
                    i = end + 2;
                    continue;
                }
            }
            if (c == ']') {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** Java's verdict, after translating PCRE's Python-style group syntax it lacks. */
    private static boolean javaAccepts(String pattern) {
        String translated = pattern.replace("(?P<", "(?<");
        try {
            Pattern.compile(translated);
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            return true; // not a verdict at all: leave the pattern to nginx
        }
    }
}
