package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.List;

/**
 * An {@code upstream} block (http or stream).
 *
 * @param name    the upstream name, which {@code proxy_pass http://name} refers to
 * @param servers its {@code server} entries
 */
public record Upstream(String name, List<UpstreamServer> servers, Path file, int line) {

    public Upstream {
        servers = List.copyOf(servers);
    }

    /**
     * One {@code server} of an upstream.
     *
     * @param host      host name or address ({@code [::1]} style for IPv6, {@code unix:/path} for a socket)
     * @param port      the port; 80 when omitted in http, 0 for a unix socket
     * @param directive the {@code server} directive
     */
    public record UpstreamServer(String host, int port, Directive directive) {

        public Path file() {
            return directive.file();
        }

        public int line() {
            return directive.line();
        }
    }
}
