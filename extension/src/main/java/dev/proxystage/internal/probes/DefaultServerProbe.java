package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.probes.ConfigView.Endpoint;
import dev.proxystage.internal.probes.ConfigView.Target;
import java.util.List;
import java.util.Optional;

/**
 * Host spoofing: per port, a request for a host name no block claims (and, over TLS, a request whose SNI names a
 * real application but whose Host header does not) must end at a default server that answers it itself, never at an
 * application's backend. "Reached a backend" is: an echo backend answered, or the answer is the same 2xx as the one a
 * real application name on that port gets.
 */
final class DefaultServerProbe implements ProbeCheck {

    @Override
    public Probe probe() {
        return Probe.DEFAULT_SERVER;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        ConfigView view = context.view();
        for (Endpoint endpoint : view.endpoints()) {
            if (!context.budgetLeft()) {
                return;
            }
            Optional<ServerBlock> defaultServer = view.defaultServer(endpoint.port());
            if (defaultServer.isEmpty()) {
                continue;
            }
            Optional<Target> app = view.targets().stream()
                    .filter(t -> t.endpoint().equals(endpoint) && !t.catchAll()).findFirst();
            Optional<Exchange> reference = app.map(t -> context.get(t.url("/")));

            Exchange unknown = context.get(endpoint.origin(ConfigView.UNKNOWN_HOST) + "/");
            check(defaultServer.get(), endpoint, unknown, app, reference).ifPresent(findings::add);
            if (endpoint.ssl() && app.isPresent()) {
                // SNI names a real application, the Host header does not: nginx picks the server by Host.
                Exchange forged = context.send("GET", app.get().url("/"), Optional.of(ConfigView.UNKNOWN_HOST));
                check(defaultServer.get(), endpoint, forged, app, reference).ifPresent(findings::add);
            }
        }
    }

    private Optional<Finding> check(ServerBlock defaultServer, Endpoint endpoint, Exchange exchange,
                                    Optional<Target> app, Optional<Exchange> reference) {
        String detail = "the default server of port " + endpoint;
        String fix = "; give port " + endpoint.port() + " a catch-all server (listen " + endpoint.port()
                + (endpoint.ssl() ? " ssl" : "") + " default_server; server_name _; return 444;)";
        if (exchange.echo().isPresent()) {
            return Optional.of(finding(defaultServer, detail, exchange.request(), exchange.outcome()
                    + ": a host name no server block claims reaches an application's backend" + fix));
        }
        if (reference.isPresent() && exchange.answered() && reference.get().answered()) {
            Exchange ref = reference.get();
            boolean success = ref.status() >= 200 && ref.status() < 300;
            if (success && ref.status() == exchange.status() && !ref.body().isBlank() && ref.body().equals(exchange.body())) {
                return Optional.of(finding(defaultServer, detail, exchange.request(), exchange.outcome()
                        + ", the same answer as " + app.get().host() + " gets: a host name no server block claims"
                        + " reaches that application" + fix));
            }
        }
        return Optional.empty();
    }
}
