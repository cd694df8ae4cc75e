package dev.proxystage.hardening;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Stage;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Runs the hardening probes against a running stage: each is the runtime form of a misconfiguration class that gixy
 * finds statically, sent through the stage's real nginx to every server block of its conf.d. Usually used as
 * {@code HardeningAssert.assertThatHardening(stage).passesHardeningProbes()}, or by extending
 * {@link HardeningProbesContract}.
 *
 * <p>How each probe reaches a server block: on every port the block listens on, with the test host name of its first
 * {@code server_name} (see {@code tls.testNames} for regex names), or, for a block without a name that is a port's
 * default server, with a host name no block claims. Blocks reachable neither way are noted in the report.
 *
 * <ul>
 *   <li>{@code default-server}: per port, {@code GET /} for an unknown host name (over TLS also with SNI of a real
 *       application and a forged Host header) must not reach an application's backend.</li>
 *   <li>{@code header-splitting}: {@code GET <path>%0d%0aX-Injected:%20yes} for {@code /} and each literal location
 *       path injects no response header and no header into the proxied request.</li>
 *   <li>{@code alias-traversal}: for {@code location /x { alias ...; }} without trailing slash, {@code /x../} answers
 *       like a missing path ({@code /x..<random>/}), not with the parent directory of the alias.</li>
 *   <li>{@code version-disclosure}: {@code GET /}, {@code TRACE /} (nginx's own 405 page) and a too-long URI (its
 *       414 page) show no version in {@code Server} or the page.</li>
 *   <li>{@code forwarded-headers}: every proxying location delivers exactly one Host (the client's), X-Real-IP and
 *       X-Forwarded-Proto to the echo backend (checked in the configuration where no request can be made), and no
 *       {@code add_header} redefinition drops outer security headers.</li>
 *   <li>{@code plain-http}: every {@code listen 80} block redirects to https or refuses, except for ACME
 *       challenge paths.</li>
 *   <li>{@code tls-protocols}: TLS 1.0 and TLS 1.1 handshakes are refused, per block by SNI.</li>
 * </ul>
 *
 * <p>Every probe is bounded: a few requests per block and location, at most a fixed number of checks
 * per probe, each with a timeout.
 */
public final class HardeningProbes {

    private HardeningProbes() {
    }

    /**
     * A stage that can probe itself: every stage ProxyStage's runtime starts is one, so this package reaches the
     * runtime through the stage it is handed and never through the service provider interfaces. Not for users.
     */
    public interface Target {

        /** Runs the probes that {@code suppressions}, or the stage's {@code probes.suppress}, do not switch off. */
        HardeningReport runProbes(Collection<Suppression> suppressions);
    }

    /** Runs every probe. */
    public static HardeningReport run(Stage stage) {
        return run(stage, List.of());
    }

    /** Runs every probe that {@code suppressions}, or the stage's {@code probes.suppress} in pipeline.yml, do not switch off. */
    public static HardeningReport run(Stage stage, Collection<Suppression> suppressions) {
        Objects.requireNonNull(stage, "stage");
        if (stage instanceof Target target) {
            return target.runProbes(List.copyOf(suppressions));
        }
        throw new ProxyStageException("the hardening probes run only on a stage ProxyStage started, not on " + stage);
    }
}
