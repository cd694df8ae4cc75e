package dev.proxystage;

import java.util.List;

/**
 * nginx's error log (the container's stderr) of a running stage, line by line, like Test::Nginx's
 * {@code no_error_log} for a whole stage.
 */
public interface NginxErrorLog {

    /** The current end of the log; {@link #since} returns what comes after it. */
    LogMark mark();

    /** The error log lines written after {@code mark}. */
    List<String> since(LogMark mark);

    /** The lines written since the current test started (since the stage started, outside a test). */
    List<String> sinceTestStart();
}
