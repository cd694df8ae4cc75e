package dev.proxystage.internal.logs;

import dev.proxystage.RoutingTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The text a failing test gets: its requests as nginx routed them, then the container lines logged meanwhile. */
public final class Diagnostics {

    private Diagnostics() {
    }

    /** Empty when the test sent nothing and nothing was logged. */
    public static String report(String stage, List<TraceIndex.Sent> requests,
                                Function<TraceIndex.Sent, Optional<RoutingTrace>> traceOf, List<LogLine> lines) {
        List<String> report = new ArrayList<>();
        if (!requests.isEmpty()) {
            report.add("requests of this test, as nginx routed them:");
            for (TraceIndex.Sent request : requests) {
                report.add("  " + traceOf.apply(request).map(RoutingTrace::toString).orElse(request.method() + " "
                        + request.url() + " → no trace from nginx (a server with its own access_log, or no answer)"));
            }
        }
        if (!lines.isEmpty()) {
            report.add("container logs since the test started:");
            lines.forEach(l -> report.add("  " + l));
        }
        return report.isEmpty() ? "" : "ProxyStage diagnostics for stage " + stage + "\n" + String.join("\n", report);
    }
}
