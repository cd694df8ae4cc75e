package dev.proxystage.internal.nginx;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code ssl_trusted_certificate} files that stand for the chain of a TLS server's own certificate: the one in
 * effect for a server that listens with {@code ssl}, in the directory of that server's {@code ssl_certificate}
 * (certbot's {@code live/<name>/chain.pem} beside {@code fullchain.pem}). nginx reads it at start, so a stage that
 * issues the server's certificate places its test CA's certificate there, the chain of the certificate it issued,
 * unless a file is already placed at that path or an nginx image has one there (the CA bundle in /etc/ssl/certs).
 */
public final class TrustedChains {

    private TrustedChains() {
    }

    /** Container paths of the trusted certificates that sit beside a TLS server's certificate, in server order. */
    public static Set<String> of(NginxConfig config) {
        Set<String> chains = new LinkedHashSet<>();
        Optional<Directive> http = config.directives().stream()
                .filter(d -> d.name().equals("http") && d.hasBlock()).findFirst();
        for (ServerBlock server : config.servers()) {
            if (server.listens().stream().noneMatch(Listen::ssl) || server.sslCertificates().isEmpty()
                    || server.sslCertificates().stream().anyMatch(ref -> ref.path().contains("$"))) {
                continue;
            }
            Optional<String> trusted = last(server.directive().children("ssl_trusted_certificate"))
                    .or(() -> http.flatMap(h -> last(h.children("ssl_trusted_certificate"))));
            if (trusted.isEmpty() || trusted.get().contains("$")) {
                continue;
            }
            String path = config.request().containerPath(trusted.get());
            // a file of the image itself (the system's CA bundle in /etc/ssl/certs) is kept as it is
            if (ImageLayout.OTHER.hasFile(path)) {
                continue;
            }
            for (FileRef certificate : server.sslCertificates()) {
                if (parent(config.request().containerPath(certificate.path())).equals(parent(path))) {
                    chains.add(path);
                    break;
                }
            }
        }
        return chains;
    }

    private static Optional<String> last(List<Directive> found) {
        return found.isEmpty() ? Optional.empty() : found.get(found.size() - 1).arg(0);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
