package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.EchoReport;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.probes.ConfigView.Endpoint;
import dev.proxystage.internal.probes.ConfigView.LocationInfo;
import dev.proxystage.internal.probes.ConfigView.Target;
import dev.proxystage.internal.probes.HeaderRules.DroppedHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Forwarded headers, per proxying location and port: through the echo backend, exactly one Host header arrives and
 * it is the client's host; X-Real-IP arrives; X-Forwarded-Proto arrives and names the client's scheme. When the
 * location cannot be requested (a regex) or another backend answers, the same is checked in the configuration
 * (nginx's inheritance applied). Independently of any request, a location whose {@code proxy_set_header Host}
 * entries (its own plus included ones) number more than one is reported: nginx sends one Host header per entry.
 *
 * <p>The same probe covers {@code add_header} redefinition: a server or location that defines its own
 * {@code add_header}s drops the security headers an outer level adds (nginx inherits {@code add_header} only into
 * levels that define none). It is confirmed by a request where one can be made.
 */
final class ForwardedHeadersProbe implements ProbeCheck {

    @Override
    public Probe probe() {
        return Probe.FORWARDED_HEADERS;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        ConfigView view = context.view();
        for (ServerBlock block : view.config().servers()) {
            List<Target> targets = view.targets(block);
            int paths = 0;
            for (LocationInfo location : view.locations(block)) {
                if (!context.budgetLeft()) {
                    return;
                }
                if (location.proxies()) {
                    forwarded(context, block, location, targets, findings);
                }
                if (++paths <= ProbeContext.MAX_PATHS_PER_TARGET) {
                    addHeaders(context, block, location.describe(), location.chain(), location.requestPath(), targets, findings);
                }
            }
            addHeaders(context, block, "", view.serverChain(block), Optional.of("/"), targets, findings);
        }
    }

    private void forwarded(ProbeContext context, ServerBlock block, LocationInfo location, List<Target> targets,
                           List<Finding> findings) {
        List<Directive> duplicates = HeaderRules.duplicateHostHeaders(location.chain());
        context.countStaticCheck();
        if (!duplicates.isEmpty()) {
            findings.add(finding(block, location.describe(), "(configuration)", duplicates.size()
                    + " proxy_set_header Host entries in effect (" + HeaderRules.whereAll(duplicates)
                    + "): nginx sends " + duplicates.size() + " Host headers; keep only one (often the included snippet's)"));
        }
        Optional<String> path = location.requestPath();
        boolean checkedAtRuntime = false;
        Exchange notEcho = null;
        if (path.isPresent()) {
            for (Target target : targets) {
                Exchange exchange = context.get(target.url(path.get()));
                Optional<EchoReport.Refusal> refusal = exchange.response().flatMap(r -> r.echoRefusal());
                if (refusal.isPresent()) {
                    // The echo backend refused the forwarded request (e.g. two Host headers): that is the finding.
                    checkedAtRuntime = true;
                    if (duplicates.isEmpty()) {
                        findings.add(finding(block, location.describe(), exchange.request(), exchange.outcome()
                                + ", as the echo backend refused it: " + refusal.get().detail()));
                    }
                    continue;
                }
                if (exchange.echo().isEmpty()) {
                    notEcho = exchange;
                    continue;
                }
                checkedAtRuntime = true;
                List<String> problems = problems(exchange.echo().get(), target, duplicates.isEmpty());
                if (!problems.isEmpty()) {
                    findings.add(finding(block, location.describe(), exchange.request(), exchange.outcome() + ", which "
                            + String.join("; ", problems)));
                }
            }
        }
        if (!checkedAtRuntime) {
            List<String> missing = HeaderRules.missingForwardedHeaders(location.chain());
            if (!missing.isEmpty()) {
                String why = path.isEmpty() ? "the location has no literal path to request"
                        : notEcho == null ? "no port reaches it" : notEcho.request() + " → " + notEcho.outcome()
                        + ", not ProxyStage's echo backend";
                findings.add(finding(block, location.describe(), "(configuration, as " + why + ")",
                        "proxy_set_header in effect sets no " + String.join(", no ", missing)
                                + (missing.contains("Host") ? " (nginx then sends the upstream's name as Host)" : "")));
            }
        }
    }

    /** What is wrong with the headers the echo backend received; empty when nothing is. */
    static List<String> problems(EchoReport echo, Target target, boolean reportHostCount) {
        List<String> problems = new ArrayList<>();
        List<String> hosts = echo.request().headerValues("Host");
        Endpoint endpoint = target.endpoint();
        String expectedHost = target.host().toLowerCase(Locale.ROOT);
        if (hosts.size() != 1) {
            if (reportHostCount || hosts.isEmpty()) {
                problems.add("received " + hosts.size() + " Host headers " + hosts);
            }
        } else {
            String host = hosts.get(0).toLowerCase(Locale.ROOT);
            if (!host.equals(expectedHost) && !host.equals(expectedHost + ":" + endpoint.port())) {
                problems.add("received Host: " + hosts.get(0) + " instead of the client's " + target.host()
                        + " (proxy_set_header Host $host;)");
            }
        }
        if (echo.request().header("X-Real-IP").filter(v -> !v.isBlank()).isEmpty()) {
            problems.add("received no X-Real-IP (proxy_set_header X-Real-IP $remote_addr;)");
        }
        Optional<String> proto = echo.request().header("X-Forwarded-Proto").filter(v -> !v.isBlank());
        if (proto.isEmpty()) {
            problems.add("received no X-Forwarded-Proto (proxy_set_header X-Forwarded-Proto $scheme;)");
        } else if (!proto.get().equalsIgnoreCase(endpoint.scheme())) {
            problems.add("received X-Forwarded-Proto: " + proto.get() + " for an " + endpoint.scheme() + " request");
        }
        return problems;
    }

    private void addHeaders(ProbeContext context, ServerBlock block, String detail, List<Directive> chain,
                            Optional<String> path, List<Target> targets, List<Finding> findings) {
        context.countStaticCheck();
        Optional<DroppedHeaders> dropped = HeaderRules.droppedSecurityHeaders(chain);
        if (dropped.isEmpty()) {
            return;
        }
        DroppedHeaders d = dropped.get();
        String where = "its add_header (" + HeaderRules.whereAll(d.own()) + ") replaces the outer "
                + HeaderRules.whereAll(d.dropped());
        if (path.isPresent() && !targets.isEmpty()) {
            Exchange exchange = context.get(targets.get(0).url(path.get()));
            if (exchange.answered() && (d.always() || HeaderRules.ADD_HEADER_STATUSES.contains(exchange.status()))) {
                List<String> missing = d.names().stream().filter(n -> exchange.header(n).isEmpty()).toList();
                if (!missing.isEmpty()) {
                    findings.add(finding(block, detail, exchange.request(), exchange.outcome() + " without "
                            + String.join(", ", missing) + ": " + where + "; repeat them here or move them into a"
                            + " snippet included at every level"));
                }
                return;
            }
        }
        findings.add(finding(block, detail, "(configuration)", "drops " + String.join(", ", d.names()) + ": " + where
                + "; repeat them here or move them into a snippet included at every level"));
    }
}
