package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.probes.ConfigView.LocationInfo;
import dev.proxystage.internal.probes.ConfigView.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CRLF injection: for every reachable block and port, {@code GET <path>%0d%0aX-Injected:%20yes} for {@code /} and
 * each location written as a literal path must produce no {@code X-Injected} response header, and the echo backend
 * must receive no such header. Catches decoded variables ({@code $uri}, {@code $document_uri}, regex captures of
 * the path) written into {@code return}, {@code add_header}, {@code proxy_set_header} or {@code proxy_pass}.
 */
final class HeaderSplittingProbe implements ProbeCheck {

    static final String INJECTION = "%0d%0aX-Injected:%20yes";

    @Override
    public Probe probe() {
        return Probe.HEADER_SPLITTING;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        for (Target target : context.view().targets()) {
            for (Map.Entry<String, String> path : paths(context.view(), target).entrySet()) {
                if (!context.budgetLeft()) {
                    return;
                }
                Exchange exchange = context.get(target.url(path.getKey() + INJECTION));
                String observed = null;
                if (exchange.header("X-Injected").isPresent()) {
                    observed = exchange.outcome() + " with response header X-Injected: " + exchange.header("X-Injected").get()
                            + ": a decoded %0d%0a in the path split the response headers";
                } else if (exchange.echo().map(e -> !e.request().headerValues("X-Injected").isEmpty()).orElse(false)) {
                    observed = exchange.outcome() + ", which received header X-Injected: "
                            + exchange.echo().get().request().headerValues("X-Injected")
                            + ": a decoded %0d%0a in the path split the proxied request's headers";
                }
                if (observed != null) {
                    findings.add(finding(target.block(), path.getValue(), exchange.request(), observed
                            + " (use $request_uri, not $uri or a capture of the decoded path)"));
                }
            }
        }
    }

    /** {@code /} and the literal location paths of the target's block, each with the location it came from. */
    static Map<String, String> paths(ConfigView view, Target target) {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("/", "");
        for (LocationInfo location : view.locations(target.block())) {
            if (paths.size() >= ProbeContext.MAX_PATHS_PER_TARGET) {
                break;
            }
            location.requestPath().ifPresent(p -> paths.putIfAbsent(p, location.describe()));
        }
        return paths;
    }
}
