package dev.proxystage.plan;

import dev.proxystage.ProxyStageException;
import dev.proxystage.config.TlsSpec;
import dev.proxystage.nginx.Directive;
import dev.proxystage.nginx.FileRef;
import dev.proxystage.nginx.NginxConfig;
import dev.proxystage.nginx.ServerBlock;
import dev.proxystage.tls.LeafCertificate;
import dev.proxystage.tls.ServerNameException;
import dev.proxystage.tls.ServerNames;
import dev.proxystage.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.tls.HandshakeCertificates;
import org.testcontainers.images.builder.Transferable;

/**
 * The certificates a conf.d needs: for every {@code ssl_certificate}/{@code ssl_certificate_key} pair that a
 * TLS server block uses, a leaf from the run's test CA whose names are the server names of every block that uses
 * the pair. Shipped certificates (a file that exists on the host at the mapped path) are kept unless
 * {@code tls.generate: always}. Only leaves and their keys go into the container, never the CA's key.
 */
public final class Certificates {

    /** Container paths where a file cannot be placed. */
    private static final List<String> NOT_WRITABLE = List.of("/proc/", "/sys/", "/dev/");

    private final Map<String, Transferable> files;
    private final Map<String, Issued> issued;
    private final HandshakeCertificates clientTrust;

    /** A generated certificate: its leaf, the key's container path, and the server blocks it serves. */
    public record Issued(LeafCertificate leaf, String keyPath, List<String> serverNames) {
    }

    private Certificates(Map<String, Transferable> files, Map<String, Issued> issued, HandshakeCertificates clientTrust) {
        this.files = files;
        this.issued = issued;
        this.clientTrust = clientTrust;
    }

    Map<String, Transferable> files() {
        return files;
    }

    Map<String, Issued> issued() {
        return issued;
    }

    HandshakeCertificates clientTrust() {
        return clientTrust;
    }

    private record Pair(String certificate, String key) {
    }

    static Certificates plan(NginxConfig config, TlsSpec tls, TestCertificateAuthority ca) {
        Map<Pair, List<String>> namesByPair = new LinkedHashMap<>();
        Map<Pair, FileRef> firstUse = new LinkedHashMap<>();
        List<FileRef> httpCertificates = httpLevel(config, "ssl_certificate");
        List<FileRef> httpKeys = httpLevel(config, "ssl_certificate_key");
        for (ServerBlock server : config.servers()) {
            if (server.listens().stream().noneMatch(l -> l.ssl())) {
                continue;
            }
            List<FileRef> certificates = server.sslCertificates().isEmpty() ? httpCertificates : server.sslCertificates();
            List<FileRef> keys = server.sslCertificateKeys().isEmpty() ? httpKeys : server.sslCertificateKeys();
            String name = server.serverNames().isEmpty() ? "\"\"" : String.join(" ", server.serverNames());
            if (certificates.isEmpty() || keys.isEmpty()) {
                throw new ProxyStageException(server.file() + ":" + server.line() + ": server '" + name
                        + "' listens with ssl but has no " + (certificates.isEmpty() ? "ssl_certificate" : "ssl_certificate_key"));
            }
            if (certificates.size() != keys.size()) {
                throw new ProxyStageException(server.file() + ":" + server.line() + ": server '" + name + "' has "
                        + certificates.size() + " ssl_certificate but " + keys.size() + " ssl_certificate_key directives");
            }
            for (int i = 0; i < certificates.size(); i++) {
                Pair pair = new Pair(containerPath(config, certificates.get(i)), containerPath(config, keys.get(i)));
                namesByPair.computeIfAbsent(pair, p -> new ArrayList<>()).addAll(server.serverNames());
                firstUse.putIfAbsent(pair, certificates.get(i));
            }
        }

        Map<String, Transferable> files = new LinkedHashMap<>();
        Map<String, Issued> issued = new LinkedHashMap<>();
        for (Map.Entry<Pair, List<String>> entry : namesByPair.entrySet()) {
            Pair pair = entry.getKey();
            FileRef where = firstUse.get(pair);
            if (tls.generate() == TlsSpec.Generate.AUTO && shipped(config, pair.certificate()) && shipped(config, pair.key())) {
                continue;
            }
            List<String> names = entry.getValue().stream().distinct().toList();
            LeafCertificate leaf;
            try {
                leaf = ca.issueForServerNames(names, tls.testNames());
            } catch (ServerNameException e) {
                throw new ProxyStageException(where.file() + ":" + where.line() + ": " + e.getMessage());
            }
            files.put(pair.certificate(), Transferable.of(leaf.certificatePem().getBytes(StandardCharsets.US_ASCII), 0644));
            files.put(pair.key(), Transferable.of(leaf.privateKeyPem().getBytes(StandardCharsets.US_ASCII), 0600));
            issued.put(pair.certificate(), new Issued(leaf, pair.key(), names));
        }

        HandshakeCertificates.Builder trust = new HandshakeCertificates.Builder().addTrustedCertificate(ca.caCertificate());
        tls.trust().forEach(pem -> readCertificates(pem).forEach(trust::addTrustedCertificate));
        return new Certificates(files, issued, trust.build());
    }

    private static String containerPath(NginxConfig config, FileRef ref) {
        String path = config.request().containerPath(ref.path());
        if (ref.path().contains("$")) {
            throw new ProxyStageException(ref.file() + ":" + ref.line() + ": certificate path '" + ref.path()
                    + "' uses a variable; ProxyStage can only place certificates at fixed paths");
        }
        for (String prefix : NOT_WRITABLE) {
            if (path.startsWith(prefix)) {
                throw new ProxyStageException(ref.file() + ":" + ref.line() + ": certificate path '" + path
                        + "' is not a writable location in a container; use a path such as /etc/nginx/certs/");
            }
        }
        return path;
    }

    private static boolean shipped(NginxConfig config, String containerPath) {
        return config.hostPathOf(containerPath).map(Files::isRegularFile).orElse(false);
    }

    /** Directives of the http context itself, which server blocks inherit. */
    private static List<FileRef> httpLevel(NginxConfig config, String name) {
        List<FileRef> found = new ArrayList<>();
        for (Directive top : config.directives()) {
            if (top.name().equals("http") && top.hasBlock()) {
                top.children(name).forEach(d -> d.arg(0).ifPresent(arg -> found.add(new FileRef(arg, d.file(), d.line()))));
            }
        }
        return found;
    }

    private static List<X509Certificate> readCertificates(Path pem) {
        try (var in = Files.newInputStream(pem)) {
            List<X509Certificate> certificates = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .forEach(c -> certificates.add((X509Certificate) c));
            if (certificates.isEmpty()) {
                throw new ProxyStageException(pem + ": tls.trust: no certificate in this file");
            }
            return certificates;
        } catch (IOException | CertificateException e) {
            throw new ProxyStageException(pem + ": tls.trust: not a PEM certificate file (" + e.getMessage() + ")");
        }
    }

    /** The server names a stage client may use over TLS for {@code serverName}, if it has a concrete one. */
    public static Optional<String> testHostName(String serverName, TlsSpec tls) {
        return ServerNames.testHostName(serverName, tls.testNames());
    }
}
