package dev.proxystage.cli;

import dev.proxystage.internal.nginx.Problem;
import java.nio.file.Path;

/**
 * One line of {@code check}'s report. An error is {@code file:line: message}; a warning is
 * {@code file:line: warning: message}, so both keep the {@code file:line:} prefix editors and CI annotators read.
 */
record Finding(boolean error, String line) {

    static final String WARNING = "warning: ";

    static Finding error(String line) {
        return new Finding(true, line);
    }

    static Finding warning(String where, String message) {
        return new Finding(false, where + ": " + WARNING + message);
    }

    static Finding of(Problem problem) {
        return problem.isError() ? error(problem.toString()) : warning(where(problem.file(), problem.line()), problem.message());
    }

    /** {@code file:line}, or {@code file} for line 0 (a finding about a whole file or directory), as Problem does. */
    static String where(Path file, int line) {
        return line > 0 ? file + ":" + line : file.toString();
    }
}
