package dev.proxystage.internal.probes;

import dev.proxystage.internal.nginx.DefaultServers;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.Listen;
import dev.proxystage.internal.nginx.Location;
import dev.proxystage.internal.nginx.Location.Modifier;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Origin;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.tls.ServerNameException;
import dev.proxystage.internal.tls.ServerNames;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the probes need to know about a parsed conf.d: which ports speak TLS, which server block is the default for
 * each port, a host name that reaches each block, and every location with the chain of blocks around it (for
 * nginx's inheritance rules). Reads the configuration only.
 */
final class ConfigView {

    /** A host name no server block claims ({@code .invalid} is reserved, RFC 2606). */
    static final String UNKNOWN_HOST = "unknown-host.proxystage.invalid";

    /** One port nginx listens on. */
    record Endpoint(int port, boolean ssl) {

        String scheme() {
            return ssl ? "https" : "http";
        }

        /** {@code https://host}, with {@code :port} only when it is not the scheme's default. */
        String origin(String host) {
            return Origin.of(ssl, host, port);
        }

        @Override
        public String toString() {
            return port + (ssl ? " ssl" : "");
        }
    }

    /**
     * A way to reach one server block: a port it listens on and a host name nginx routes to it there.
     *
     * @param catchAll the block has no usable name and is reached as the port's default server, with
     *                 {@link #UNKNOWN_HOST}
     */
    record Target(ServerBlock block, Endpoint endpoint, String host, boolean catchAll) {

        String url(String path) {
            return endpoint.origin(host) + path;
        }
    }

    /**
     * A location of a server block.
     *
     * @param chain the blocks from the outermost (http) to this location: http, server, outer locations, this one
     */
    record LocationInfo(ServerBlock block, Location location, List<Directive> chain) {

        LocationInfo {
            chain = List.copyOf(chain);
        }

        Directive directive() {
            return location.directive();
        }

        /**
         * A request path this location is written for: a prefix or exact pattern as written; empty for regex and
         * named locations, whose matching requests cannot be derived.
         */
        Optional<String> requestPath() {
            return requestPathOf(location);
        }

        /** Whether this location itself passes requests on ({@code proxy_pass}, also inside an {@code if}). */
        boolean proxies() {
            if (!location.directive().children("proxy_pass").isEmpty()) {
                return true;
            }
            return location.directive().children("if").stream().anyMatch(i -> !i.children("proxy_pass").isEmpty());
        }

        /** {@code location /api (file:line)}. */
        String describe() {
            String modifier = location.modifier().symbol();
            return "location " + (modifier.isEmpty() ? "" : modifier + " ")
                    + (location.modifier() == Modifier.NAMED ? "@" : "") + location.pattern() + " (" + where(location) + ")";
        }
    }

    private final NginxConfig config;
    private final Map<Integer, Boolean> ports = new TreeMap<>();
    private final Map<Integer, ServerBlock> defaults = new LinkedHashMap<>();
    private final Map<ServerBlock, Optional<String>> hosts = new IdentityHashMap<>();
    private final Map<Directive, Directive> parents = new IdentityHashMap<>();
    private final List<String> notes = new ArrayList<>();

    ConfigView(NginxConfig config, Map<String, String> testNames) {
        this.config = config;
        for (ServerBlock block : config.servers()) {
            for (Listen listen : block.listens()) {
                ports.merge(listen.port(), listen.ssl(), Boolean::logicalOr);
            }
        }
        for (int port : ports.keySet()) {
            DefaultServers.of(config.servers(), port).ifPresent(block -> defaults.put(port, block));
        }
        for (ServerBlock block : config.servers()) {
            hosts.put(block, hostOf(block, testNames));
        }
        indexParents(config.directives(), null);
    }

    NginxConfig config() {
        return config;
    }

    /** Things the probes cannot reach, found while reading the configuration. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /** Every port any http server listens on, ascending, with whether it speaks TLS. */
    List<Endpoint> endpoints() {
        List<Endpoint> all = new ArrayList<>();
        ports.forEach((port, ssl) -> all.add(new Endpoint(port, ssl)));
        return all;
    }

    Optional<Endpoint> endpoint(int port) {
        Boolean ssl = ports.get(port);
        return ssl == null ? Optional.empty() : Optional.of(new Endpoint(port, ssl));
    }

    /** The block nginx hands requests for unknown names on {@code port}: its {@code default_server}, else its first. */
    Optional<ServerBlock> defaultServer(int port) {
        return Optional.ofNullable(defaults.get(port));
    }

    /** The ports a block listens on. */
    List<Endpoint> endpointsOf(ServerBlock block) {
        return block.listens().stream().map(Listen::port).distinct().sorted()
                .map(port -> new Endpoint(port, ports.get(port))).toList();
    }

    /** A host nginx routes to {@code block}: its first server name that gives one; empty for {@code _} and the like. */
    Optional<String> host(ServerBlock block) {
        return hosts.getOrDefault(block, Optional.empty());
    }

    /**
     * Every way to reach every block: per block and port, its first usable server name, or {@link #UNKNOWN_HOST}
     * when it has none but is the port's default server. Blocks reachable neither way are left out (and noted).
     */
    List<Target> targets() {
        List<Target> all = new ArrayList<>();
        for (ServerBlock block : config.servers()) {
            all.addAll(targets(block));
        }
        return all;
    }

    /** The targets of one block; see {@link #targets()}. */
    List<Target> targets(ServerBlock block) {
        List<Target> all = new ArrayList<>();
        for (Endpoint endpoint : endpointsOf(block)) {
            Optional<String> host = host(block);
            if (host.isPresent()) {
                all.add(new Target(block, endpoint, host.get(), false));
            } else if (defaultServer(endpoint.port()).filter(d -> d == block).isPresent()) {
                all.add(new Target(block, endpoint, UNKNOWN_HOST, true));
            }
        }
        return all;
    }

    /** Every location of {@code block}, nested ones after their parent, with the chain of blocks around each. */
    List<LocationInfo> locations(ServerBlock block) {
        List<LocationInfo> all = new ArrayList<>();
        List<Directive> outer = serverChain(block);
        for (Location location : block.locations()) {
            collect(block, location, outer, all);
        }
        return all;
    }

    private static void collect(ServerBlock block, Location top, List<Directive> outer, List<LocationInfo> into) {
        // Pre-order with an explicit stack, not recursion: nginx accepts any nesting depth.
        record Pending(Location location, List<Directive> outer) {
        }
        Deque<Pending> pending = new ArrayDeque<>();
        pending.push(new Pending(top, outer));
        while (!pending.isEmpty()) {
            Pending next = pending.pop();
            List<Directive> chain = new ArrayList<>(next.outer());
            chain.add(next.location().directive());
            into.add(new LocationInfo(block, next.location(), chain));
            List<Location> nested = next.location().locations();
            for (int i = nested.size() - 1; i >= 0; i--) {
                pending.push(new Pending(nested.get(i), chain));
            }
        }
    }

    /** The blocks around a server's own directives: http (or whatever holds it), then the server. */
    List<Directive> serverChain(ServerBlock block) {
        List<Directive> chain = new ArrayList<>();
        for (Directive d = block.directive(); d != null; d = parents.get(d)) {
            chain.add(0, d);
        }
        return chain;
    }

    /**
     * Locations whose prefix does not end with "/" but which serve files through {@code alias}: the shape behind
     * alias traversal ({@code location /static { alias /srv/static/; }} serves {@code /static../}).
     */
    List<LocationInfo> aliasLocations(ServerBlock block) {
        return locations(block).stream().filter(ConfigView::isAliasCandidate).toList();
    }

    static boolean isAliasCandidate(LocationInfo info) {
        Location location = info.location();
        boolean prefix = location.modifier() == Modifier.PREFIX || location.modifier() == Modifier.PREFERRED_PREFIX;
        return prefix && !location.pattern().endsWith("/") && location.pattern().startsWith("/")
                && !location.directive().children("alias").isEmpty();
    }

    static Optional<String> requestPathOf(Location location) {
        String pattern = location.pattern();
        boolean literal = location.modifier() == Modifier.PREFIX || location.modifier() == Modifier.PREFERRED_PREFIX
                || location.modifier() == Modifier.EXACT;
        if (!literal || !pattern.startsWith("/") || pattern.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#' || c == 127)) {
            return Optional.empty();
        }
        return Optional.of(pattern);
    }

    /** {@code server vw.example.com (listen 443 ssl)}: how findings name a block. */
    static String describe(ServerBlock block) {
        String names = block.serverNames().isEmpty() ? "(no server_name)" : String.join(" ", block.serverNames());
        return "server " + names;
    }

    /** {@code file:line} of a block. */
    static String where(ServerBlock block) {
        return block.file() + ":" + block.line();
    }

    static String where(Location location) {
        return location.file() + ":" + location.line();
    }

    private Optional<String> hostOf(ServerBlock block, Map<String, String> testNames) {
        for (String name : block.serverNames()) {
            try {
                Optional<String> host = ServerNames.testHostName(name, testNames);
                if (host.isPresent()) {
                    return host;
                }
            } catch (ServerNameException e) {
                notes.add(where(block) + ": server_name " + name + " gives no host to probe with (" + e.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    private void indexParents(List<Directive> block, Directive parent) {
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        Deque<Directive> pending = new ArrayDeque<>();
        for (Directive d : block) {
            if (parent != null) {
                parents.put(d, parent);
            }
            pending.push(d);
        }
        while (!pending.isEmpty()) {
            Directive d = pending.pop();
            for (Directive child : d.block()) {
                parents.put(child, d);
                pending.push(child);
            }
        }
    }
}
