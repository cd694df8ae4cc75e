package dev.proxystage.internal.logs;

/** A container's log line: when it was logged (see {@link LogClock}), who wrote it, and whether on stderr. */
public record LogLine(long sequence, String container, boolean stderr, String text) {

    @Override
    public String toString() {
        return "[" + container + "] " + text;
    }
}
