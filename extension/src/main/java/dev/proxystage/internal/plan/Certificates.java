package dev.proxystage.internal.plan;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.TlsSpec;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.FileRef;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.nginx.TrustedChains;
import dev.proxystage.internal.tls.LeafCertificate;
import dev.proxystage.internal.tls.ServerNameException;
import dev.proxystage.internal.tls.ServerNames;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import okhttp3.tls.HandshakeCertificates;

/**
 * The certificates a conf.d needs: for every {@code ssl_certificate}/{@code ssl_certificate_key} pair that a
 * TLS server block uses, a leaf from the run's test CA whose names are the server names of every block that uses
 * the pair. Shipped certificates (a file that exists on the host at the mapped path) are kept unless
 * {@code tls.generate: always}. An {@code ssl_trusted_certificate} beside a TLS server's certificate (certbot's
 * {@code chain.pem}) that nothing else places gets the CA's certificate, the chain of those leaves. Only leaves,
 * their keys and the CA's certificate go into the container, never the CA's key.
 */
public final class Certificates {

    /** Container paths where a file cannot be placed. */
    private static final List<String> NOT_WRITABLE = List.of("/proc/", "/sys/", "/dev/");

    private final Map<String, FileContent> files;
    private final Map<String, Issued> issued;
    private final HandshakeCertificates clientTrust;

    /** A generated certificate: its leaf, the key's container path, the server names it serves and the testNames it used. */
    public record Issued(LeafCertificate leaf, String keyPath, List<String> serverNames, Map<String, String> testNames) {
    }

    private Certificates(Map<String, FileContent> files, Map<String, Issued> issued, HandshakeCertificates clientTrust) {
        this.files = files;
        this.issued = issued;
        this.clientTrust = clientTrust;
    }

    Map<String, FileContent> files() {
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

    /** Which certificate/key pairs the TLS server blocks use, for which names, and what stands in the way. */
    /** @param nameSites per pair, where each of its server_name values is first written (errors point there) */
    private record Layout(Map<Pair, List<String>> namesByPair, Map<Pair, FileRef> firstUse,
                          Map<Pair, Map<String, FileRef>> nameSites, List<String> problems,
                          List<FileRef> perHandshake) {
    }

    /**
     * The {@code ssl_certificate} (or key) directives of servers whose certificate or key path holds a variable:
     * nginx (1.15.9 on) loads such a server's certificates per handshake, not at start, so the stage neither places
     * nor checks them; {@code file:line} of the first variable path of each such server.
     */
    public static List<FileRef> loadedPerHandshake(NginxConfig config, TlsSpec tls) {
        return layout(config, tls).perHandshake();
    }

    /** {@link #problems} and {@link #loadedPerHandshake} from one walk of the servers, for a check that wants both. */
    public record Review(List<String> problems, List<FileRef> loadedPerHandshake) {
    }

    /** Both findings of {@code config}'s TLS servers, walked once. */
    public static Review review(NginxConfig config, TlsSpec tls) {
        Layout layout = layout(config, tls);
        return new Review(layout.problems(), layout.perHandshake());
    }

    /**
     * Every TLS planning problem of a conf.d, {@code file:line: message} each, in the order {@link #plan} meets
     * them: a block that listens with ssl but has no certificate or key, a certificate path a container cannot
     * take, a {@code server_name} that needs a {@code tls.testNames} entry.
     */
    public static List<String> problems(NginxConfig config, TlsSpec tls) {
        return layout(config, tls).problems();
    }

    /**
     * @param reuse certificates a running stage already has from {@code ca}, by certificate path: a pair with the
     *              same key path and server names keeps its leaf (a new key pair costs more than the rest of a plan)
     */
    /** The certificate and key files a stage of {@code config} gets, issued by {@code ca}, by container path. */
    public static Map<String, FileContent> filesFor(NginxConfig config, TlsSpec tls, TestCertificateAuthority ca) {
        return plan(config, tls, ca, Map.of()).files();
    }

    static Certificates plan(NginxConfig config, TlsSpec tls, TestCertificateAuthority ca, Map<String, Issued> reuse) {
        Layout layout = layout(config, tls);
        if (!layout.problems().isEmpty()) {
            throw new ProxyStageException(layout.problems().get(0));
        }
        Map<String, FileContent> files = new LinkedHashMap<>();
        Map<String, Issued> issued = new LinkedHashMap<>();
        for (Map.Entry<Pair, List<String>> entry : layout.namesByPair().entrySet()) {
            Pair pair = entry.getKey();
            if (keepsShipped(config, tls, pair)) {
                continue;
            }
            List<String> names = entry.getValue().stream().distinct().toList();
            Issued before = reuse.get(pair.certificate());
            LeafCertificate leaf;
            try {
                leaf = before != null && before.keyPath().equals(pair.key()) && before.serverNames().equals(names)
                        && before.testNames().equals(tls.testNames()) && before.leaf().issuer().equals(ca.caCertificate())
                        ? before.leaf() : ca.issueForServerNames(names, tls.testNames());
            } catch (ServerNameException e) {
                FileRef where = layout.nameSites().get(pair).getOrDefault(e.serverName(), layout.firstUse().get(pair));
                throw new ProxyStageException(where.file() + ":" + where.line() + ": " + e.getMessage());
            }
            files.put(pair.certificate(), new FileContent(leaf.certificatePem().getBytes(StandardCharsets.US_ASCII), 0644));
            files.put(pair.key(), new FileContent(leaf.privateKeyPem().getBytes(StandardCharsets.US_ASCII), 0600));
            issued.put(pair.certificate(), new Issued(leaf, pair.key(), names, Map.copyOf(tls.testNames())));
        }
        // An ssl_trusted_certificate beside a server's certificate is its chain (certbot's chain.pem), which nginx
        // reads at start: the test CA's certificate is the chain of the leaves issued here.
        byte[] chain = ca.ca().certificatePem().getBytes(StandardCharsets.US_ASCII);
        for (String path : TrustedChains.of(config)) {
            if (!files.containsKey(path) && !shipped(config, path)) {
                files.put(path, new FileContent(chain, 0644));
            }
        }

        HandshakeCertificates.Builder trust = new HandshakeCertificates.Builder().addTrustedCertificate(ca.caCertificate());
        tls.trust().forEach(pem -> readCertificates(pem).forEach(trust::addTrustedCertificate));
        return new Certificates(files, issued, trust.build());
    }

    private static Layout layout(NginxConfig config, TlsSpec tls) {
        Set<String> problems = new LinkedHashSet<>();
        Map<Pair, List<String>> namesByPair = new LinkedHashMap<>();
        Map<Pair, FileRef> firstUse = new LinkedHashMap<>();
        Map<Pair, Map<String, FileRef>> nameSites = new LinkedHashMap<>();
        List<FileRef> perHandshake = new ArrayList<>();
        List<FileRef> httpCertificates = httpLevel(config, "ssl_certificate");
        List<FileRef> httpKeys = httpLevel(config, "ssl_certificate_key");
        for (ServerBlock server : config.servers()) {
            if (server.listens().stream().noneMatch(l -> l.ssl())) {
                continue;
            }
            List<FileRef> certificates = server.sslCertificates().isEmpty() ? httpCertificates : server.sslCertificates();
            List<FileRef> keys = server.sslCertificateKeys().isEmpty() ? httpKeys : server.sslCertificateKeys();
            String name = server.serverNames().isEmpty() ? "\"\"" : String.join(" ", server.serverNames());
            if (certificates.isEmpty() && rejectsHandshake(config, server)) {
                // ngx_http_ssl_merge_srv_conf: a server that refuses every handshake needs no certificate (the
                // catch-all default server that answers unknown names with nothing)
                continue;
            }
            if (certificates.isEmpty() || keys.isEmpty()) {
                problems.add(server.file() + ":" + server.line() + ": server '" + name + "' listens with ssl but has no "
                        + (certificates.isEmpty() ? "ssl_certificate" : "ssl_certificate_key"));
                continue;
            }
            if (certificates.size() != keys.size()) {
                problems.add(server.file() + ":" + server.line() + ": server '" + name + "' has " + certificates.size()
                        + " ssl_certificate but " + keys.size() + " ssl_certificate_key directives");
                continue;
            }
            // ngx_http_ssl_compile_certificates: one variable in any certificate or key path of a server defers all
            // of its certificates to the handshake; nothing of them is read at start.
            Optional<FileRef> variable = Stream.concat(certificates.stream(), keys.stream())
                    .filter(ref -> ref.path().contains("$")).findFirst();
            if (variable.isPresent()) {
                if (!perHandshake.contains(variable.get())) {
                    perHandshake.add(variable.get());
                }
                continue;
            }
            for (int i = 0; i < certificates.size(); i++) {
                Optional<String> certificate = containerPath(config, certificates.get(i), problems);
                Optional<String> key = containerPath(config, keys.get(i), problems);
                if (certificate.isEmpty() || key.isEmpty()) {
                    continue;
                }
                Pair pair = new Pair(certificate.get(), key.get());
                // nginx names a server without server_name "": tls.testNames can give that name a test host.
                List<String> serverNames = server.serverNames().isEmpty() ? List.of("") : server.serverNames();
                namesByPair.computeIfAbsent(pair, p -> new ArrayList<>()).addAll(serverNames);
                firstUse.putIfAbsent(pair, certificates.get(i));
                Map<String, FileRef> sites = nameSites.computeIfAbsent(pair, p -> new LinkedHashMap<>());
                serverNames.forEach(serverName -> sites.putIfAbsent(serverName, serverNameSite(server, serverName)));
            }
        }
        for (Map.Entry<Pair, List<String>> entry : namesByPair.entrySet()) {
            if (keepsShipped(config, tls, entry.getKey())) {
                continue;
            }
            for (String serverName : entry.getValue().stream().distinct().toList()) {
                FileRef where = nameSites.get(entry.getKey()).get(serverName);
                ServerNames.problem(serverName, tls.testNames())
                        .ifPresent(message -> problems.add(where.file() + ":" + where.line() + ": " + message));
            }
        }
        return new Layout(namesByPair, firstUse, nameSites, List.copyOf(problems), List.copyOf(perHandshake));
    }

    /** The {@code server_name} directive that names {@code name} (it may come from an include), else the block. */
    private static FileRef serverNameSite(ServerBlock server, String name) {
        return server.directive().children("server_name").stream()
                .filter(d -> d.args().contains(name))
                .findFirst()
                .map(d -> new FileRef(name, d.file(), d.line()))
                .orElse(new FileRef(name, server.file(), server.line()));
    }

    private static boolean keepsShipped(NginxConfig config, TlsSpec tls, Pair pair) {
        return tls.generate() == TlsSpec.Generate.AUTO && shipped(config, pair.certificate()) && shipped(config, pair.key());
    }

    private static Optional<String> containerPath(NginxConfig config, FileRef ref, Set<String> problems) {
        String path = config.request().containerPath(ref.path());
        for (String prefix : NOT_WRITABLE) {
            if (path.startsWith(prefix)) {
                problems.add(ref.file() + ":" + ref.line() + ": certificate path '" + path
                        + "' is not a writable location in a container; use a path such as /etc/nginx/certs/");
                return Optional.empty();
            }
        }
        return Optional.of(path);
    }

    private static boolean shipped(NginxConfig config, String containerPath) {
        return config.hostPathOf(containerPath).map(Files::isRegularFile).orElse(false);
    }

    /** Directives of the http context itself, which server blocks inherit. */
    /** {@code ssl_reject_handshake on} in effect for {@code server}: its own, else the http block's. */
    private static boolean rejectsHandshake(NginxConfig config, ServerBlock server) {
        List<Directive> own = server.directive().children("ssl_reject_handshake");
        if (!own.isEmpty()) {
            return own.get(own.size() - 1).arg(0).filter(v -> v.equalsIgnoreCase("on")).isPresent();
        }
        boolean on = false;
        for (Directive top : config.directives()) {
            if (top.name().equals("http") && top.hasBlock()) {
                for (Directive d : top.children("ssl_reject_handshake")) {
                    on = d.arg(0).filter(v -> v.equalsIgnoreCase("on")).isPresent();
                }
            }
        }
        return on;
    }

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
