package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.probes.ConfigView.Endpoint;
import dev.proxystage.internal.probes.ConfigView.Target;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Version disclosure: for every reachable block and port, {@code GET /} and {@code TRACE /} (which nginx itself
 * always answers with its 405 error page), and per port a 9000-character URI (nginx's 414 page, from the default
 * server) must show no version in the {@code Server} header or in nginx's error page body.
 */
final class VersionDisclosureProbe implements ProbeCheck {

    /** A product with a version in a Server header: {@code nginx/1.22.1}, {@code openresty/1.25.3.1}. */
    static final Pattern SERVER_VERSION = Pattern.compile("[A-Za-z][\\w.-]*/\\d[\\w.-]*");
    /** nginx's error pages name the server the same way: {@code <center>nginx/1.22.1</center>}. */
    static final Pattern PAGE_VERSION = Pattern.compile("(?i)\\b(?:nginx|openresty|tengine)/\\d[\\w.-]*");

    @Override
    public Probe probe() {
        return Probe.VERSION_DISCLOSURE;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        Set<ServerBlock> reported = new HashSet<>();
        for (Target target : context.view().targets()) {
            if (!context.budgetLeft()) {
                return;
            }
            for (String method : List.of("GET", "TRACE")) {
                Exchange exchange = context.send(method, target.url("/"), Optional.empty());
                Optional<String> disclosed = disclosed(exchange);
                if (disclosed.isPresent()) {
                    findings.add(finding(target.block(), "", exchange.request(), exchange.outcome() + disclosed.get()
                            + " (set server_tokens off; in http, or in this server)"));
                    reported.add(target.block());
                    break;
                }
            }
        }
        String longPath = "/" + "a".repeat(9000);
        for (Endpoint endpoint : context.view().endpoints()) {
            Optional<ServerBlock> defaultServer = context.view().defaultServer(endpoint.port());
            if (defaultServer.isEmpty() || reported.contains(defaultServer.get()) || !context.budgetLeft()) {
                continue;
            }
            Exchange exchange = context.get(endpoint.origin(ConfigView.UNKNOWN_HOST) + longPath);
            disclosed(exchange).ifPresent(d -> findings.add(finding(defaultServer.get(),
                    "the default server of port " + endpoint, exchange.request(), exchange.outcome() + d
                            + " (set server_tokens off; in http, or in this server)")));
        }
    }

    /** {@code , Server: nginx/1.22.1} and/or {@code , error page shows nginx/1.22.1}; empty when nothing shows. */
    static Optional<String> disclosed(Exchange exchange) {
        StringBuilder found = new StringBuilder();
        exchange.header("Server").filter(s -> SERVER_VERSION.matcher(s).find())
                .ifPresent(s -> found.append(", Server: ").append(s));
        if (exchange.echo().isEmpty()) {
            Matcher page = PAGE_VERSION.matcher(exchange.body());
            if (page.find()) {
                found.append(", the page shows ").append(page.group());
            }
        }
        return found.length() == 0 ? Optional.empty() : Optional.of(found.toString());
    }
}
