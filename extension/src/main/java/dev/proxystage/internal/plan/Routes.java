package dev.proxystage.internal.plan;

import dev.proxystage.internal.config.TlsSpec;
import dev.proxystage.internal.nginx.Listen;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Origin;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.tls.ServerNameException;
import dev.proxystage.internal.tls.ServerNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The routes of a running stage, one per {@code server_name} and listen port, with a curl command that reaches each
 * through the published ports as production would: {@code --connect-to} keeps the URL, so curl sends SNI and
 * {@code Host} exactly as a browser would for that name. Names that are not one host ({@code *.example.com},
 * {@code vw.*}, regexes) use the host tests use ({@link ServerNames#testHostName}); catch-all names ({@code _},
 * {@code ""}) have no host to route by and give no route.
 */
public final class Routes {

    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    private Routes() {
    }

    /**
     * One route.
     *
     * @param https      the listen has {@code ssl}
     * @param host       the host name (or IP address) a client uses
     * @param port       the port nginx listens on in the container, as in production
     * @param mappedPort the port Docker published it on
     */
    public record Route(boolean https, String host, int port, int mappedPort) {

        /** The production URL, e.g. {@code https://vw.example.com/}; the port only when it is not the scheme's default. */
        public String url() {
            return Origin.of(https, host, port) + "/";
        }

        /** {@code curl --connect-to vw.example.com:443:127.0.0.1:49153 --cacert /tmp/…/ca.pem https://vw.example.com/}. */
        public String curl(String publishedHost, Optional<Path> caFile) {
            StringBuilder line = new StringBuilder("curl --connect-to ")
                    .append(bracketed(host)).append(':').append(port).append(':')
                    .append(bracketed(publishedHost)).append(':').append(mappedPort);
            if (https) {
                caFile.ifPresent(ca -> line.append(" --cacert ").append(shellQuoted(ca.toString())));
            }
            return line.append(' ').append(url()).toString();
        }
    }

    /** Every (server_name, listen port) of {@code config} that Docker published, in configuration order. */
    public static List<Route> of(NginxConfig config, TlsSpec tls, Map<Integer, Integer> mappedPorts) {
        Set<Route> routes = new LinkedHashSet<>();
        for (ServerBlock server : config.servers()) {
            List<String> hosts = hosts(server, tls);
            for (Listen listen : server.listens()) {
                Integer mapped = mappedPorts.get(listen.port());
                if (mapped == null) {
                    continue;
                }
                for (String host : hosts) {
                    routes.add(new Route(listen.ssl(), host, listen.port(), mapped));
                }
            }
        }
        // The same name and port in two blocks (nginx warns and uses the first) is one route.
        List<Route> unique = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Route route : routes) {
            if (seen.add(route.host() + ":" + route.port())) {
                unique.add(route);
            }
        }
        return unique;
    }

    private static List<String> hosts(ServerBlock server, TlsSpec tls) {
        Set<String> hosts = new LinkedHashSet<>();
        for (String serverName : server.serverNames()) {
            try {
                ServerNames.testHostName(serverName, tls.testNames()).ifPresent(hosts::add);
            } catch (ServerNameException e) {
                // A plain-http regex name without a tls.testNames entry: nothing to route by.
            }
        }
        return List.copyOf(hosts);
    }

    static String bracketed(String host) {
        return Origin.bracketed(host);
    }

    /** The word as a POSIX shell reads it back: unchanged when safe, else in single quotes. */
    static String shellQuoted(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
