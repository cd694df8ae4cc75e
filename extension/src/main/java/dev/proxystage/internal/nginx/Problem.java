package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A finding of {@link StagePlanCheck}. {@link #toString()} is {@code file:line: message}, or {@code file: message} for
 * line 0 (a finding about the configuration as a whole, located at conf.d).
 */
public record Problem(Severity severity, Path file, int line, String message) {

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(message, "message");
    }

    /** ERROR stops the stage before any container starts; WARNING is reported and the stage goes on. */
    public enum Severity { ERROR, WARNING }

    /** Where {@code other} is, seen from {@code d}: "line 12" in the same file, else its file:line. */
    static String near(Directive d, Directive other) {
        return d.file().equals(other.file()) ? "line " + other.line() : other.where();
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return NginxConfigException.format(file, line, message);
    }
}
