package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.List;

/**
 * An http {@code server} block.
 *
 * @param listens            its {@code listen} directives; {@code *:80} when it has none, as in nginx
 * @param serverNames        the {@code server_name} values, in order
 * @param sslCertificates    {@code ssl_certificate} in effect (the server's own, else inherited from http)
 * @param sslCertificateKeys {@code ssl_certificate_key} in effect, likewise
 * @param locations          its top-level locations (nested ones hang below them)
 * @param directive          the whole directive, for anything not modelled here
 */
public record ServerBlock(Path file, int line, List<Listen> listens, List<String> serverNames,
                          List<FileRef> sslCertificates, List<FileRef> sslCertificateKeys, List<Location> locations,
                          Directive directive) {

    public ServerBlock {
        listens = List.copyOf(listens);
        serverNames = List.copyOf(serverNames);
        sslCertificates = List.copyOf(sslCertificates);
        sslCertificateKeys = List.copyOf(sslCertificateKeys);
        locations = List.copyOf(locations);
    }
}
