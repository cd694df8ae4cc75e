package dev.proxystage.internal.logs;

import dev.proxystage.LogMark;

/** Where the test running on each thread started, for "since the test started". */
public final class TestMarks {

    private final ThreadLocal<LogMark> start = new ThreadLocal<>();

    public LogMark started() {
        LogMark mark = new LogMark(LogClock.now());
        start.set(mark);
        return mark;
    }

    public void finished() {
        start.remove();
    }

    /** The current test's start on this thread; the beginning of time outside a test. */
    public LogMark current() {
        LogMark mark = start.get();
        return mark == null ? new LogMark(0) : mark;
    }
}
