package dev.proxystage;

/**
 * Attached (as a suppressed exception) to the failure of a test in a stage class: the routing traces of the
 * requests the test made and the containers' log lines since it started. It carries no stack trace; its message
 * is the report.
 */
public final class StageDiagnostics extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StageDiagnostics(String report) {
        super(report, null, false, false);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
