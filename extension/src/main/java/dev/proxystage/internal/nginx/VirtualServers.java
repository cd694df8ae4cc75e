package dev.proxystage.internal.nginx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which server block nginx gives a request for a host on a port: an exact name, else the longest leading wildcard
 * ({@code *.example.com}, {@code .example.com}), else the longest trailing wildcard ({@code www.*}), else the first
 * regex in configuration order, else the port's default server ({@link DefaultServers#of}). Names are caseless.
 * Listen addresses are not told apart: a stage reaches nginx through its published ports.
 */
public final class VirtualServers {

    private VirtualServers() {
    }

    /** The server block for {@code host} (without port) on {@code port}; empty when no block listens there. */
    public static Optional<ServerBlock> choose(List<ServerBlock> servers, int port, String host) {
        List<ServerBlock> onPort = servers.stream()
                .filter(s -> s.listens().stream().anyMatch(l -> l.port() == port)).toList();
        if (onPort.isEmpty()) {
            return Optional.empty();
        }
        return claimedBy(onPort, host).or(() -> DefaultServers.of(onPort, port));
    }

    /** The block whose {@code server_name} claims {@code host} among {@code servers}; empty when none does. */
    public static Optional<ServerBlock> claimedBy(List<ServerBlock> servers, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // nginx drops a trailing dot of the Host header
        }
        List<HostNames.Named<ServerBlock>> names = new ArrayList<>();
        for (ServerBlock s : servers) {
            for (String name : s.serverNames()) {
                names.add(new HostNames.Named<>(name, s));
            }
        }
        Optional<ServerBlock> named = HostNames.find(h, names);
        if (named.isPresent()) {
            return named;
        }
        for (ServerBlock s : servers) {
            for (String raw : s.serverNames()) {
                if (raw.startsWith("~")) {
                    Optional<NginxRegex> regex = NginxRegex.compile(raw.substring(1), true);
                    if (regex.isPresent() && regex.get().find(h).isPresent()) {
                        return Optional.of(s);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
