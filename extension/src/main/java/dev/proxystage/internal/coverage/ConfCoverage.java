package dev.proxystage.internal.coverage;

import dev.proxystage.internal.nginx.Location;
import dev.proxystage.internal.nginx.LocationResolver;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.nginx.VirtualServers;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which server blocks and locations of a stage's configuration the requests reached, by nginx's rules: the server
 * block nginx names in its trace (else the one {@link VirtualServers} picks for the Host), then every location
 * {@link LocationResolver} says the request went through (exact, {@code ^~}, longest prefix, regexes, nested,
 * {@code rewrite ... last}, {@code try_files} and {@code error_page} to named locations). A location counts when nginx
 * made it the request's configuration; a location that holds nested ones counts only for the URIs it answers itself.
 * Not thread-safe: {@link StageCoverage} serializes the calls.
 */
public final class ConfCoverage {

    /** The headers OkHttp adds after the client's interceptors: their values are not known here. */
    static final Set<String> ADDED_BY_CLIENT = Set.of("user-agent", "cookie", "accept-encoding", "connection");

    /** One request as the stage client sent it. */
    public record Sent(String method, String url, Map<String, String> headers) {
        public Sent {
            headers = Map.copyOf(headers);
        }
    }

    /** A location of the configuration, with its hits. */
    public record LocationHits(Path file, int line, String server, String location, long hits) {
    }

    /** A server block, with its hits. */
    public record ServerHits(Path file, int line, List<String> names, long hits) {
        public ServerHits {
            names = List.copyOf(names);
        }
    }

    /**
     * The coverage so far.
     *
     * @param requests    the requests counted
     * @param undecided   the requests whose way the configuration alone does not tell to the end (an {@code if} on a
     *                    header, a regex Java reads otherwise): their locations up to that point count
     * @param noServer    the requests no server block listens for (their port)
     * @param serverByTrace the requests whose server block nginx's trace named
     */
    public record Snapshot(List<LocationHits> locations, List<ServerHits> servers, long requests, long undecided,
                           long noServer, long serverByTrace) {

        public Snapshot {
            locations = List.copyOf(locations);
            servers = List.copyOf(servers);
        }

        /** Reached locations per hundred locations; 100 for a configuration without any. */
        public double percent() {
            if (locations.isEmpty()) {
                return 100.0;
            }
            long reached = locations.stream().filter(l -> l.hits() > 0).count();
            return Math.round(reached * 1000.0 / locations.size()) / 10.0;
        }

        public List<LocationHits> unreached() {
            return locations.stream().filter(l -> l.hits() == 0).toList();
        }
    }

    private final List<ServerBlock> servers;
    private final LocationResolver resolver;
    private final Map<ServerBlock, long[]> serverHits = new IdentityHashMap<>();
    private final Map<Location, long[]> locationHits = new IdentityHashMap<>();
    private final Map<Location, ServerBlock> serverOf = new IdentityHashMap<>();
    private final List<Location> order = new ArrayList<>();
    private long requests;
    private long undecided;
    private long noServer;
    private long serverByTrace;

    public ConfCoverage(NginxConfig config) {
        this(config, new LocationResolver(config));
    }

    /** With {@code resolver}: the one {@code init}'s route table uses for the same configuration. */
    public ConfCoverage(NginxConfig config, LocationResolver resolver) {
        this.servers = config.servers();
        this.resolver = resolver;
        for (ServerBlock s : servers) {
            serverHits.put(s, new long[1]);
            // In file order, nested ones after their parent; an explicit stack, as nesting has no limit.
            Deque<Location> open = new ArrayDeque<>();
            pushReversed(open, s.locations());
            while (!open.isEmpty()) {
                Location l = open.pop();
                locationHits.put(l, new long[1]);
                serverOf.put(l, s);
                order.add(l);
                pushReversed(open, l.locations());
            }
        }
    }

    private static void pushReversed(Deque<Location> open, List<Location> locations) {
        for (int i = locations.size() - 1; i >= 0; i--) {
            open.push(locations.get(i));
        }
    }

    /**
     * Counts {@code sent}; {@code traced} is what nginx's trace says of it ({@code $server_name}, {@code $server_port}),
     * when it has a trace. Returns the request's way through its server block (the last location is the one that
     * answered); empty when no server block takes it.
     */
    public Optional<LocationResolver.Resolution> count(Sent sent, Optional<Traced> traced) {
        requests++;
        Optional<Target> target = Target.of(sent.url());
        if (target.isEmpty()) {
            undecided++;
            return Optional.empty();
        }
        Target t = target.get();
        int port = traced.map(Traced::port).filter(p -> p > 0).orElse(t.port);
        Optional<ServerBlock> chosen = VirtualServers.choose(servers, port, t.host);
        if (traced.isPresent()) {
            Optional<ServerBlock> named = byTrace(traced.get().serverName(), port, chosen);
            if (named.isPresent()) {
                chosen = named;
                serverByTrace++;
            }
        }
        if (chosen.isEmpty()) {
            noServer++;
            return Optional.empty();
        }
        serverHits.get(chosen.get())[0]++;
        Map<String, String> headers = new LinkedHashMap<>();
        sent.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        headers.put("host", t.host);
        Set<String> opaque = new java.util.HashSet<>(ADDED_BY_CLIENT);
        opaque.removeAll(headers.keySet());
        LocationResolver.Resolution r = resolver.resolve(chosen.get(), new LocationResolver.Request(
                sent.method(), t.scheme, t.host, port, t.target, headers, opaque));
        if (r.answer().kind() == LocationResolver.Kind.UNKNOWN) {
            undecided++;
        }
        Set<Location> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Location l : r.locations()) {
            long[] hits = locationHits.get(l);
            if (hits != null && seen.add(l)) {
                hits[0]++;
            }
        }
        return Optional.of(r);
    }

    /** The block nginx's trace names: the one on {@code port} whose first name is {@code serverName}, if only one. */
    private Optional<ServerBlock> byTrace(String serverName, int port, Optional<ServerBlock> chosen) {
        if (chosen.isPresent() && primaryName(chosen.get()).equals(serverName)) {
            return chosen;
        }
        List<ServerBlock> named = servers.stream()
                .filter(s -> primaryName(s).equals(serverName) && s.listens().stream().anyMatch(l -> l.port() == port))
                .toList();
        return named.size() == 1 ? Optional.of(named.get(0)) : Optional.empty();
    }

    static String primaryName(ServerBlock s) {
        return s.serverNames().isEmpty() ? "" : s.serverNames().get(0);
    }

    /** What a trace says of a request: the server block's first name and the port it came in on. */
    public record Traced(String serverName, int port) {
    }

    public Snapshot snapshot() {
        List<LocationHits> locations = new ArrayList<>();
        for (Location l : order) {
            locations.add(new LocationHits(l.file(), l.line(), primaryName(serverOf.get(l)), describe(l),
                    locationHits.get(l)[0]));
        }
        List<ServerHits> serverList = new ArrayList<>();
        for (ServerBlock s : servers) {
            serverList.add(new ServerHits(s.file(), s.line(), s.serverNames(), serverHits.get(s)[0]));
        }
        return new Snapshot(locations, serverList, requests, undecided, noServer, serverByTrace);
    }

    /** The location as written after {@code location}: {@code /api/}, {@code = /}, {@code ~* \.php$}, {@code @fallback}. */
    static String describe(Location l) {
        return switch (l.modifier()) {
            case PREFIX -> l.pattern();
            case NAMED -> "@" + l.pattern();
            default -> l.modifier().symbol() + " " + l.pattern();
        };
    }

    /** A URL's parts as nginx sees them: the Host (lower case, no port), the port, the request target as sent. */
    private record Target(String scheme, String host, int port, String target) {

        static Optional<Target> of(String url) {
            try {
                URI u = new URI(url);
                String scheme = u.getScheme() == null ? "http" : u.getScheme().toLowerCase(Locale.ROOT);
                String host = u.getHost();
                if (host == null) {
                    return Optional.empty();
                }
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                int port = u.getPort() > 0 ? u.getPort() : scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
                String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
                String target = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
                String s = scheme.startsWith("ws") ? (scheme.equals("wss") ? "https" : "http") : scheme;
                return Optional.of(new Target(s, host.toLowerCase(Locale.ROOT), port, target));
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }
    }
}
