package dev.proxystage.internal.logs;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one numbering of marks, sent requests and log lines: nanoseconds since the epoch, strictly increasing within
 * the JVM. Log lines are fetched with Docker's timestamps, so a line and a mark compare on the same clock (the
 * engine's and this machine's, which are the same clock for a local engine).
 */
public final class LogClock {

    private static final AtomicLong LAST = new AtomicLong();

    private LogClock() {
    }

    public static long now() {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return LAST.updateAndGet(last -> Math.max(last + 1, nanos));
    }

    /** The epoch second a fetch since {@code sequence} starts from. */
    public static long epochSecond(long sequence) {
        return Math.floorDiv(sequence, 1_000_000_000L);
    }

    /** Docker's RFC 3339 timestamp ({@code 2026-12-01T09:30:00.123456789Z}) on this clock; -1 if it is not one. */
    public static long parse(String timestamp) {
        try {
            Instant t = Instant.parse(timestamp);
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
