package dev.proxystage.internal.init;

import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.Listen;
import dev.proxystage.internal.nginx.Location;
import dev.proxystage.internal.nginx.Location.Modifier;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.tls.ServerNameException;
import dev.proxystage.internal.tls.ServerNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The starter route table: for every server name and location that proxies to one backend, a request nginx sends
 * to that location, and the backend that must answer it. Each request path is checked against nginx's location
 * choice (exact, longest prefix, {@code ^~}, regexes in order), so a route never claims a location that another one
 * would take.
 */
final class RouteTable {

    /**
     * One expectation: {@code GET url} must reach {@code backend}; {@code from} is the location it tests.
     * {@code restrictedBy} is the {@code deny} in effect there, if any: the stage client's address decides then.
     */
    record Route(String url, String backend, Location from, Optional<Directive> restrictedBy) {
    }

    private static final Set<String> PASSES = Set.of("proxy_pass", "grpc_pass", "uwsgi_pass", "fastcgi_pass",
            "scgi_pass");

    private final Discovery discovery;
    private final Map<String, String> testNames;
    private final List<ProjectInit.Note> notes = new ArrayList<>();

    private RouteTable(Discovery discovery, Map<String, String> testNames) {
        this.discovery = discovery;
        this.testNames = testNames;
    }

    /** The routes, and notes for locations whose backend is decided but that no route can test. */
    static RouteTable.Built build(NginxConfig config, Discovery discovery, Map<String, String> testNames) {
        RouteTable table = new RouteTable(discovery, testNames);
        Map<String, Route> routes = new LinkedHashMap<>();
        Optional<Directive> httpDeny = config.directives().stream().filter(d -> d.name().equals("http"))
                .findFirst().flatMap(RouteTable::deny);
        for (ServerBlock server : config.servers()) {
            if (answersBeforeLocations(server.directive())) {
                continue;
            }
            Optional<Directive> serverDeny = hasAccessRules(server.directive()) ? deny(server.directive()) : httpDeny;
            for (String base : baseUrls(server, testNames)) {
                Map<Location, Optional<Directive>> locations = new LinkedHashMap<>();
                flatten(server.locations(), serverDeny, locations);
                locations.forEach((location, denied) -> table.route(server, location).ifPresent(route -> {
                    Route r = new Route(base + route.path, route.backend, location, denied);
                    routes.putIfAbsent(r.url(), r);
                }));
            }
        }
        return new Built(List.copyOf(routes.values()), List.copyOf(table.notes));
    }

    record Built(List<Route> routes, List<ProjectInit.Note> notes) {
    }

    private record PathRoute(String path, String backend) {
    }

    private Optional<PathRoute> route(ServerBlock server, Location location) {
        if (location.modifier() == Modifier.NAMED) {
            return Optional.empty();
        }
        List<String> backends = backendsOf(location);
        if (backends == null || backends.isEmpty()) {
            return Optional.empty();
        }
        if (backends.size() > 1) {
            note(location, "location " + describe(location) + " reaches several backends (" + String.join(", ",
                    backends) + "); routes.yml names none for it");
            return Optional.empty();
        }
        for (String path : candidatePaths(location)) {
            try {
                if (select(server.locations(), path) == location) {
                    return Optional.of(new PathRoute(path, backends.get(0)));
                }
            } catch (PatternSyntaxException e) {
                break;
            }
        }
        note(location, "no request path found that nginx sends to location " + describe(location)
                + "; add its route to routes.yml by hand");
        return Optional.empty();
    }

    /** The decided backends the location's own passes reach; null when it answers itself or a pass is undecided. */
    private List<String> backendsOf(Location location) {
        List<String> aliases = new ArrayList<>();
        if (answersBeforeLocations(location.directive())) {
            return null;
        }
        for (Directive pass : passes(location.directive().block())) {
            Set<String> reached = discovery.aliasesByPass.get(pass);
            if (reached == null) {
                return null;
            }
            for (String alias : reached) {
                if (!aliases.contains(alias)) {
                    aliases.add(alias);
                }
            }
        }
        return aliases;
    }

    /** Pass directives of a location body, through {@code if} and {@code limit_except}, not nested locations. */
    private static List<Directive> passes(List<Directive> block) {
        List<Directive> found = new ArrayList<>();
        for (Directive d : block) {
            if (PASSES.contains(d.name())) {
                found.add(d);
            } else if (d.hasBlock() && !d.name().equals("location")) {
                found.addAll(passes(d.block()));
            }
        }
        return found;
    }

    /** An unconditional {@code return}, or a redirecting {@code rewrite}, answers before any proxying. */
    private static boolean answersBeforeLocations(Directive block) {
        for (Directive d : block.block()) {
            if (d.name().equals("return")) {
                return true;
            }
            if (d.name().equals("rewrite") && d.args().size() >= 3
                    && Set.of("last", "redirect", "permanent").contains(d.args().get(2))) {
                return true;
            }
        }
        return false;
    }

    private List<String> candidatePaths(Location location) {
        String pattern = location.pattern();
        return switch (location.modifier()) {
            case EXACT -> List.of(pattern);
            case PREFIX, PREFERRED_PREFIX -> List.of(pattern, pattern + (pattern.endsWith("/") ? "" : "/") + "route");
            case REGEX, REGEX_CASE_INSENSITIVE ->
                    RegexSamples.path(pattern, location.modifier() == Modifier.REGEX_CASE_INSENSITIVE)
                            .map(List::of).orElse(List.of());
            case NAMED -> List.of();
        };
    }

    /** The location nginx chooses for {@code uri} among {@code locations} (and their nested ones). */
    static Location select(List<Location> locations, String uri) {
        Location longest = null;
        for (Location l : locations) {
            if (l.modifier() == Modifier.EXACT && l.pattern().equals(uri)) {
                return l;
            }
            if ((l.modifier() == Modifier.PREFIX || l.modifier() == Modifier.PREFERRED_PREFIX)
                    && uri.startsWith(l.pattern())
                    && (longest == null || l.pattern().length() > longest.pattern().length())) {
                longest = l;
            }
        }
        if (longest != null && !longest.locations().isEmpty()) {
            Location nested = select(longest.locations(), uri);
            if (nested != null) {
                return nested;
            }
        }
        if (longest != null && longest.modifier() == Modifier.PREFERRED_PREFIX) {
            return longest;
        }
        for (Location l : locations) {
            if (l.modifier() == Modifier.REGEX || l.modifier() == Modifier.REGEX_CASE_INSENSITIVE) {
                int flags = l.modifier() == Modifier.REGEX_CASE_INSENSITIVE ? Pattern.CASE_INSENSITIVE : 0;
                if (Pattern.compile(l.pattern().replace("(?P<", "(?<"), flags).matcher(uri).find()) {
                    return l;
                }
            }
        }
        return longest;
    }

    /** Every location, nested ones after their parent, with the {@code deny} in effect in it. */
    private static void flatten(List<Location> locations, Optional<Directive> outer,
                                Map<Location, Optional<Directive>> into) {
        for (Location l : locations) {
            // nginx inherits allow/deny only into a block that has none of its own.
            Optional<Directive> own = hasAccessRules(l.directive()) ? deny(l.directive()) : outer;
            into.put(l, own);
            flatten(l.locations(), own, into);
        }
    }

    private static Optional<Directive> deny(Directive block) {
        return block.block().stream().filter(d -> d.name().equals("deny")).findFirst();
    }

    private static boolean hasAccessRules(Directive block) {
        return block.block().stream().anyMatch(d -> d.name().equals("deny") || d.name().equals("allow"));
    }

    /** {@code https://host} (or {@code http://host:8080}) for every server name tests can reach it by. */
    private static List<String> baseUrls(ServerBlock server, Map<String, String> testNames) {
        Listen listen = null;
        for (Listen l : server.listens()) {
            if (l.ssl()) {
                listen = l;
                break;
            }
        }
        if (listen == null && !server.listens().isEmpty()) {
            listen = server.listens().get(0);
        }
        if (listen == null) {
            return List.of();
        }
        String scheme = listen.ssl() ? "https" : "http";
        int standard = listen.ssl() ? 443 : 80;
        String port = listen.port() == standard ? "" : ":" + listen.port();
        List<String> bases = new ArrayList<>();
        for (String name : server.serverNames()) {
            try {
                ServerNames.testHostName(name, testNames).ifPresent(host -> {
                    String base = scheme + "://" + host + port;
                    if (!bases.contains(base)) {
                        bases.add(base);
                    }
                });
            } catch (ServerNameException e) {
                // A name without a usable test host is already a note of the pipeline's tls.testNames.
            }
        }
        return bases;
    }

    private void note(Location location, String message) {
        ProjectInit.Note n = new ProjectInit.Note(location.file(), location.line(), message);
        if (!notes.contains(n)) {
            notes.add(n);
        }
    }

    static String describe(Location location) {
        String symbol = location.modifier().symbol();
        return (location.modifier() == Modifier.NAMED ? "@" : symbol.isEmpty() ? "" : symbol + " ") + location.pattern();
    }
}
