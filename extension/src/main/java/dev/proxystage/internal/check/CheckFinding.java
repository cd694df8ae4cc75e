package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.nginx.Problem.Rule;
import java.nio.file.Path;

/**
 * One line of {@code check}'s report. An error is {@code file:line: message}; a warning is
 * {@code file:line: warning: message}, so both keep the {@code file:line:} prefix editors and CI annotators read.
 *
 * @param rule  what it is about, given where it was found: its rule in the SARIF log
 * @param stage the stage it was found in, or null for a finding of the pipeline as a whole; {@link CheckReport}
 *              prints a finding that holds in several stages once, naming them
 */
public record CheckFinding(boolean error, Rule rule, String line, String stage) {

    static final String WARNING = "warning: ";

    static CheckFinding error(Rule rule, String line) {
        return new CheckFinding(true, rule, line, null);
    }

    static CheckFinding warning(Rule rule, String where, String message) {
        return new CheckFinding(false, rule, where + ": " + WARNING + message, null);
    }

    public static CheckFinding of(Problem problem) {
        return problem.isError() ? error(problem.rule(), problem.toString())
                : warning(problem.rule(), where(problem.file(), problem.line()), problem.message());
    }

    /** This finding, as found in {@code stageName}. */
    CheckFinding in(String stageName) {
        return new CheckFinding(error, rule, line, stageName);
    }

    /** {@code file:line}, or {@code file} for line 0 (a finding about a whole file or directory), as Problem does. */
    static String where(Path file, int line) {
        return line > 0 ? file + ":" + line : file.toString();
    }
}
