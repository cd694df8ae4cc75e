package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.probes.ConfigView.LocationInfo;
import dev.proxystage.internal.probes.ConfigView.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Plain HTTP: every block that listens on port 80 without TLS must, for {@code /}, a path nothing is written for,
 * and each of its literal location paths, either redirect to an {@code https://} URL or refuse (4xx/5xx from nginx
 * itself, or a closed connection). It fails when a request is answered with 2xx, by a backend, or with a redirect
 * that stays on plain HTTP. Paths under {@code /.well-known/acme-challenge/} are allowed to be served plainly.
 */
final class PlainHttpProbe implements ProbeCheck {

    static final String ACME = "/.well-known/acme-challenge/";

    @Override
    public Probe probe() {
        return Probe.PLAIN_HTTP;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        ConfigView view = context.view();
        if (view.endpoint(80).filter(e -> !e.ssl()).isEmpty()) {
            return;
        }
        String unclaimed = "/proxystage-probe-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000);
        for (Target target : view.targets()) {
            if (target.endpoint().port() != 80) {
                continue;
            }
            List<String> offending = new ArrayList<>();
            String firstRequest = null;
            String firstDetail = "";
            for (Map.Entry<String, String> path : paths(view, target, unclaimed).entrySet()) {
                if (!context.budgetLeft()) {
                    break;
                }
                Exchange exchange = context.get(target.url(path.getKey()));
                String problem = problem(exchange);
                if (problem != null) {
                    if (firstRequest == null) {
                        firstRequest = exchange.request();
                        firstDetail = path.getValue();
                        offending.add(problem);
                    } else {
                        offending.add(path.getKey() + " → " + problem);
                    }
                }
            }
            if (firstRequest != null) {
                findings.add(finding(target.block(), firstDetail, firstRequest, String.join("; also ", offending)
                        + " (redirect plain HTTP: return 301 https://$host$request_uri;)"));
            }
        }
    }

    /** Why this plain-HTTP answer serves content; null when it redirects to https or refuses. */
    static String problem(Exchange exchange) {
        if (!exchange.answered()) {
            return null; // closed (return 444) or refused
        }
        if (exchange.echo().isPresent()) {
            return exchange.outcome() + ": served over plain HTTP by a backend";
        }
        int status = exchange.status();
        if (status >= 300 && status < 400) {
            String location = exchange.header("Location").orElse("");
            return location.regionMatches(true, 0, "https://", 0, 8) ? null
                    : exchange.outcome() + " to " + (location.isEmpty() ? "nowhere" : location) + ": a redirect that stays on plain HTTP";
        }
        if (status >= 200 && status < 300) {
            return exchange.outcome() + ": content served over plain HTTP";
        }
        return null;
    }

    /** {@code /}, an unclaimed path and the block's literal location paths, except ACME challenge paths. */
    private static Map<String, String> paths(ConfigView view, Target target, String unclaimed) {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("/", "");
        paths.put(unclaimed, "");
        for (LocationInfo location : view.locations(target.block())) {
            if (paths.size() >= ProbeContext.MAX_PATHS_PER_TARGET) {
                break;
            }
            location.requestPath().filter(p -> !p.startsWith(ACME) && !(p + "/").equals(ACME))
                    .ifPresent(p -> paths.putIfAbsent(p, location.describe()));
        }
        return paths;
    }
}
