package dev.proxystage.internal.report;

/**
 * One test (or one route of the command line's {@code routes}) and how it ended.
 *
 * @param diagnostics the traces and log lines of its requests, when it failed ("" otherwise)
 */
public record TestResult(String name, String stage, boolean passed, String failure, String diagnostics, double seconds) {
}
