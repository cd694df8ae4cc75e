package dev.proxystage.hardening;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The hardening probes. Each is the runtime form of a misconfiguration class that gixy finds statically; see
 * {@link HardeningProbes} for what each one sends and when it reports.
 */
public enum Probe {

    /** A forged or unknown Host reaches the default server, never an application's backend. */
    DEFAULT_SERVER("default-server"),
    /** {@code GET /%0d%0aX-Injected:%20yes} injects no header into the response or into the proxied request. */
    HEADER_SPLITTING("header-splitting"),
    /** {@code location /x { alias .../; }}: {@code /x../} serves nothing outside the alias directory. */
    ALIAS_TRAVERSAL("alias-traversal"),
    /** Neither the {@code Server} header nor nginx's error pages name a version. */
    VERSION_DISCLOSURE("version-disclosure"),
    /**
     * Every proxying location forwards Host (exactly once), X-Real-IP and X-Forwarded-Proto, and no location drops
     * security headers that an outer level adds with {@code add_header}.
     */
    FORWARDED_HEADERS("forwarded-headers"),
    /** Every plain {@code listen 80} server redirects to https or serves only ACME challenges. */
    PLAIN_HTTP("plain-http"),
    /** TLS 1.0 and TLS 1.1 handshakes are refused. */
    TLS_PROTOCOLS("tls-protocols");

    private final String id;

    Probe(String id) {
        this.id = id;
    }

    /** The id used in {@code @SuppressProbe} and in findings, e.g. {@code version-disclosure}. */
    public String id() {
        return id;
    }

    /**
     * The probe with this id.
     *
     * @throws IllegalArgumentException for an unknown id, listing the known ones
     */
    public static Probe byId(String id) {
        for (Probe probe : values()) {
            if (probe.id.equals(id)) {
                return probe;
            }
        }
        throw new IllegalArgumentException("unknown hardening probe '" + id + "' (known: "
                + Arrays.stream(values()).map(Probe::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
