package dev.proxystage.internal.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command written as one string into arguments as compose does for {@code command: bundle exec thin}:
 * blanks separate words, single quotes keep everything, double quotes keep all but a backslash before
 * {@code "}, {@code \}, {@code $} or a backtick, and a backslash outside quotes keeps the next character. Nothing
 * is expanded: no shell runs.
 */
final class ShellWords {

    private ShellWords() {
    }

    /** @throws IllegalArgumentException for a quote that is never closed */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("a single quote in \"" + text + "\" is never closed");
                }
                word.append(text, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < text.length() && text.charAt(j) != '"'; j++) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < text.length() && "\"\\$`".indexOf(text.charAt(j + 1)) >= 0) {
                        d = text.charAt(++j);
                    }
                    word.append(d);
                }
                if (j >= text.length()) {
                    throw new IllegalArgumentException("a double quote in \"" + text + "\" is never closed");
                }
                i = j;
                inWord = true;
            } else if (c == '\\' && i + 1 < text.length()) {
                word.append(text.charAt(++i));
                inWord = true;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
