package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.probes.ConfigView.Target;
import dev.proxystage.internal.probes.TlsHello.Result;
import dev.proxystage.internal.probes.TlsHello.Version;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TLS protocols: for every block on every TLS port (with its name as SNI, or none for a catch-all default server),
 * a ClientHello offering only TLS 1.0, and one offering only TLS 1.1, must be refused. See {@link TlsHello} for how
 * the probe speaks these versions although the JVM has them disabled, and what counts as accepted.
 */
final class TlsProtocolsProbe implements ProbeCheck {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Override
    public Probe probe() {
        return Probe.TLS_PROTOCOLS;
    }

    @Override
    public void run(ProbeContext context, List<Finding> findings) {
        Set<String> probed = new HashSet<>();
        for (Target target : context.view().targets()) {
            if (!target.endpoint().ssl()) {
                continue;
            }
            // SNI carries host names only: none for a catch-all reached as the default server, or for an IP address.
            boolean address = target.host().matches("[0-9.]+") || target.host().contains(":");
            Optional<String> sni = target.catchAll() || address ? Optional.empty() : Optional.of(target.host());
            if (!probed.add(target.endpoint().port() + " " + sni.orElse(""))) {
                continue;
            }
            for (Version version : Version.values()) {
                if (!context.budgetLeft()) {
                    return;
                }
                String request = "TLS ClientHello offering only " + version.label + " to port " + target.endpoint().port()
                        + sni.map(s -> " with SNI " + s).orElse(" without SNI");
                Result result;
                try (Socket socket = context.connect(target.host(), target.endpoint().port(), TIMEOUT)) {
                    result = TlsHello.offer(socket, version, sni);
                } catch (IOException e) {
                    result = new Result(false, "no connection: " + e.getMessage());
                }
                if (result.accepted()) {
                    findings.add(finding(target.block(), "", request, result.detail()
                            + " (ssl_protocols TLSv1.2 TLSv1.3;)"));
                }
            }
        }
    }
}
