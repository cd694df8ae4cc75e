package dev.proxystage.internal.nginx;

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
        for (ServerBlock s : servers) {
            for (String name : s.serverNames()) {
                if (!name.startsWith("~") && !name.contains("*") && !name.startsWith(".")
                        && name.toLowerCase(Locale.ROOT).equals(h)) {
                    return Optional.of(s);
                }
            }
        }
        ServerBlock best = null;
        int bestLength = -1;
        for (ServerBlock s : servers) {
            for (String raw : s.serverNames()) {
                String name = raw.toLowerCase(Locale.ROOT);
                String suffix = name.startsWith("*.") ? name.substring(1) : name.startsWith(".") ? name : null;
                if (suffix == null) {
                    continue;
                }
                boolean matches = h.endsWith(suffix) && h.length() > suffix.length()
                        || name.startsWith(".") && h.equals(name.substring(1));
                if (matches && suffix.length() > bestLength) {
                    best = s;
                    bestLength = suffix.length();
                }
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        for (ServerBlock s : servers) {
            for (String raw : s.serverNames()) {
                String name = raw.toLowerCase(Locale.ROOT);
                if (name.endsWith(".*")) {
                    String prefix = name.substring(0, name.length() - 1);
                    if (h.startsWith(prefix) && h.length() > prefix.length() && prefix.length() > bestLength) {
                        best = s;
                        bestLength = prefix.length();
                    }
                }
            }
        }
        if (best != null) {
            return Optional.of(best);
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
