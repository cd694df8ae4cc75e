package dev.proxystage.internal.runtime;

import java.util.Locale;

/** Durations as progress lines show them: {@code 640 ms}, {@code 2.3 s}. */
public final class Millis {

    private Millis() {
    }

    public static String since(long startNanos) {
        return of((System.nanoTime() - startNanos) / 1_000_000);
    }

    public static String of(long ms) {
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
