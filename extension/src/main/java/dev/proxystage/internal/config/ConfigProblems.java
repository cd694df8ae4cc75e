package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The problems found while reading the pipeline files, so one run reports all of them (one line each) rather
 * than only the first. The same line is kept once: a base value every stage inherits is wrong once.
 */
final class ConfigProblems {

    /** More than this many lines would hide the first ones; the rest are counted. */
    static final int MAX_REPORTED = 20;

    private final Set<String> lines = new LinkedHashSet<>();

    void add(String line) {
        lines.add(oneLine(line));
    }

    /** Values and keys may hold line breaks or control characters; each problem stays one line. */
    static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || c == 0x85) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }

    /** The problems of a file, one line each. */
    static final class Failed extends ProxyStageException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> lines;

        Failed(String message, List<String> lines) {
            super(message);
            this.lines = List.copyOf(lines);
        }
    }

    /** Runs {@code step}; a ProxyStage error it raises is recorded and {@code fallback} returned instead. */
    <T> T attempt(Supplier<T> step, T fallback) {
        try {
            return step.get();
        } catch (Failed e) {
            e.lines.forEach(this::add);
            return fallback;
        } catch (ProxyStageException e) {
            add(e.getMessage());
            return fallback;
        }
    }

    void attempt(Runnable step) {
        attempt(() -> {
            step.run();
            return null;
        }, null);
    }

    int size() {
        return lines.size();
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** Throws one exception whose message has one line per problem, capped at {@link #MAX_REPORTED}. */
    void throwIfAny() {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (String line : lines) {
            if (shown == MAX_REPORTED) {
                break;
            }
            text.append(shown == 0 ? "" : "\n").append(line);
            shown++;
        }
        if (lines.size() > MAX_REPORTED) {
            text.append("\n… and ").append(lines.size() - MAX_REPORTED).append(" more");
        }
        throw new Failed(text.toString(), List.copyOf(lines));
    }
}
