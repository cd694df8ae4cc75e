package dev.proxystage.internal.init;

import dev.proxystage.StageClient;
import dev.proxystage.internal.nginx.DefaultServers;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.Listen;
import dev.proxystage.internal.nginx.Location;
import dev.proxystage.internal.nginx.Location.Modifier;
import dev.proxystage.internal.nginx.LocationResolver;
import dev.proxystage.internal.nginx.LocationResolver.Kind;
import dev.proxystage.internal.nginx.LocationResolver.Resolution;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Origin;
import dev.proxystage.internal.nginx.ProxyTarget;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.nginx.StagePlanCheck;
import dev.proxystage.internal.nginx.VirtualServers;
import dev.proxystage.internal.tls.ServerNameException;
import dev.proxystage.internal.tls.ServerNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The starter route table: for every server nginx routes requests to and every location there, a request nginx
 * sends to that location, and the backend that answers it, as {@link LocationResolver} follows nginx's rules
 * (rewrites, {@code try_files}, {@code error_page}, named locations). A server without a usable name is reached as
 * its port's default server, with a host no server claims. A route that cannot pass in a stage (a file gate, a
 * {@code deny}, {@code auth_basic}) is written commented out, with the reason.
 */
final class StarterRouteTable {

    /** The PHP front controller, a FastCGI location's first candidate path. */
    static final String FRONT_CONTROLLER = "/index.php";

    /** The host a request carries to reach a port's default server: nothing can claim a name under .invalid. */
    static final String DEFAULT_HOST = "default.proxystage.invalid";

    /**
     * Why a route is written commented out.
     *
     * @param reason one line for routes.yml, paths relative to the output directory
     * @param note   the same for the note, with host paths as notes name them
     * @param at     the directive that stands in the way
     * @param deny   true for a {@code deny} whose outcome the client's address decides
     */
    record Gate(String reason, String note, Directive at, boolean deny) {
    }

    /**
     * One expectation: {@code GET url} must reach {@code backend}. {@code from} is the location the URL is for,
     * {@code answeredBy} the one whose pass answers (a named location behind {@code try_files}, say);
     * {@code comments} go above it in routes.yml.
     */
    record Route(String method, String url, List<String> backends, Location from, Location answeredBy,
                 Optional<Gate> gate, List<String> comments, List<String> placed) {

        boolean active() {
            return gate.isEmpty();
        }

        /** What routes.yml's request says: {@code GET https://host/path}. */
        String request() {
            return method + " " + url;
        }
    }

    /**
     * How tests reach a server: a scheme, host and port, a comment when the host is not one of its names, and the
     * tls.testNames key that must give that host for the certificate to carry it.
     */
    private record Base(Listen listen, String host, Optional<String> comment, Optional<String> testNameKey) {
        String url() {
            return Origin.of(listen.ssl(), host, listen.port());
        }
    }

    private final NginxConfig config;
    private final LocationResolver resolver;
    private final Discovery discovery;
    private final Map<String, String> testNames;
    private final Path out;
    private final List<ProjectInit.Note> notes = new ArrayList<>();
    /** Locations some route's request passes through; a location in it needs no route of its own. */
    private final Map<Location, Boolean> passedThrough = new IdentityHashMap<>();
    /** Locations with a backend that no request path of their own reached; noted unless a route passes them. */
    private final List<Location> unreached = new ArrayList<>();
    /** A path per regex (and case flag): the automaton is costly, and many servers repeat a location. */
    private final Map<String, Optional<String>> samples = new HashMap<>();
    /** The locations a nested location is in, outermost first (see {@link #flatten}). */
    private final Map<Location, List<Location>> enclosing = new IdentityHashMap<>();

    private StarterRouteTable(NginxConfig config, Discovery discovery, Map<String, String> testNames, Path out) {
        this.config = config;
        this.resolver = new LocationResolver(config);
        this.discovery = discovery;
        this.testNames = testNames;
        this.out = out;
    }

    /**
     * The routes, and notes for what no route can test. {@code testNames} gains the default host for a TLS
     * default server whose name ({@code _}, {@code ""}, or none) a certificate cannot carry.
     */
    static Built build(NginxConfig config, Discovery discovery, Map<String, String> testNames, Path out) {
        StarterRouteTable table = new StarterRouteTable(config, discovery, testNames, out);
        Map<String, Route> routes = new LinkedHashMap<>();
        for (ServerBlock server : config.servers()) {
            Map<Location, Boolean> reached = table.passedThrough;
            table.unreached.clear();
            List<Base> bases = table.bases(server);
            for (Base base : bases) {
                int before = routes.size();
                boolean first = true;
                for (Location location : table.flatten(server.locations())) {
                    if (location.modifier() == Modifier.NAMED) {
                        continue;
                    }
                    Optional<Route> route = table.route(server, base, location, first ? base.comment() : Optional.empty());
                    if (route.isPresent() && routes.putIfAbsent(route.get().request(), route.get()) == null) {
                        first = false;
                        reached.put(route.get().answeredBy(), true);
                    }
                }
                // A server-level rewrite to a literal URI takes its own request to the target's location, a request
                // that location's sample path is not (tt-rss: "rewrite /tt-rss/healthz /tt-rss/public.php?op=...").
                for (Directive rewrite : server.directive().block()) {
                    if (!rewrite.name().equals("rewrite")) {
                        continue;
                    }
                    Optional<Route> route = table.viaRewrite(server, base, rewrite,
                            first ? base.comment() : Optional.empty());
                    if (route.isPresent() && routes.putIfAbsent(route.get().request(), route.get()) == null) {
                        first = false;
                        reached.put(route.get().answeredBy(), true);
                    }
                }
                // A named location behind the server's own try_files (no location matches) is reached from "/".
                for (Location named : server.locations()) {
                    if (named.modifier() == Modifier.NAMED && !reached.containsKey(named) && hasPass(named)) {
                        table.viaServer(server, base, named, first ? base.comment() : Optional.empty())
                                .ifPresent(r -> {
                                    routes.putIfAbsent(r.request(), r);
                                    reached.put(named, true);
                                });
                    }
                }
                // The certificate of a TLS default server carries the default host only when a route uses it.
                if (routes.size() > before) {
                    base.testNameKey().ifPresent(key -> testNames.putIfAbsent(key, base.host()));
                }
            }
            for (Location named : server.locations()) {
                if (named.modifier() == Modifier.NAMED && !reached.containsKey(named) && hasPass(named)
                        && !bases.isEmpty()) {
                    table.note(named.directive(), "location " + LocationResolver.describe(named) + " passes to a"
                            + " backend, but no request path found reaches it; add its route to routes.yml by hand");
                }
            }
            for (Location location : table.unreached) {
                if (!reached.containsKey(location)) {
                    table.note(location.directive(), "no request path found that nginx sends to location "
                            + describe(location) + "; add its route to routes.yml by hand");
                }
            }
        }
        return new Built(List.copyOf(routes.values()), List.copyOf(table.notes));
    }

    record Built(List<Route> routes, List<ProjectInit.Note> notes) {
    }

    // ---- how a server is reached -------------------------------------------------------------------------

    /** One base per test host that nginx routes to this server; the default host when it has no usable name. */
    private List<Base> bases(ServerBlock server) {
        // A server on nginx's loopback only answers nginx itself (an auth_request's hop, say): the stage's client
        // never reaches it, and the requests that pass through it test it.
        List<Listen> reachable = listens(server).stream().filter(l -> !l.loopback()).toList();
        if (reachable.isEmpty()) {
            return List.of();
        }
        Listen listen = reachable.stream().filter(Listen::ssl).findFirst().orElse(reachable.get(0));
        List<Base> bases = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String name : server.serverNames()) {
            Optional<String> host;
            try {
                host = ServerNames.testHostName(name, testNames);
            } catch (ServerNameException e) {
                continue; // a placeholder in tls.testNames, or the certificate planning's problem: noted there
            }
            if (host.isEmpty() || seen.contains(host.get()) || isDefaultHost(host.get())) {
                continue;
            }
            seen.add(host.get());
            Optional<ServerBlock> claimant = VirtualServers.claimedBy(onPort(listen.port()), host.get());
            if (claimant.isPresent() && claimant.get() != server) {
                note(server.directive(), "server_name \"" + name + "\" on port " + listen.port() + " is claimed first by"
                        + " the server at " + claimant.get().directive().where() + "; nginx never routes " + host.get()
                        + " here, so routes.yml tests it there");
                continue;
            }
            bases.add(new Base(listen, host.get(), Optional.empty(), Optional.empty()));
        }
        if (!bases.isEmpty()) {
            return bases;
        }
        return defaultBase(server).map(List::of).orElse(List.of());
    }

    /**
     * The server's listens as nginx takes them: "ssl on;" in the server block (nginx before 1.25.1; check reports it
     * for a later one) makes every one of them TLS, with or without "ssl" on the listen.
     */
    private static List<Listen> listens(ServerBlock server) {
        boolean sslOn = server.directive().children("ssl").stream().anyMatch(d -> d.args().equals(List.of("on")));
        if (!sslOn) {
            return server.listens();
        }
        return server.listens().stream()
                .map(l -> new Listen(l.address(), l.port(), true, l.defaultServer(), l.file(), l.line())).toList();
    }

    /** The default server of one of its ports (TLS first), reached with a host no server on that port claims. */
    private Optional<Base> defaultBase(ServerBlock server) {
        List<Listen> listens = new ArrayList<>(listens(server).stream().filter(l -> l.ssl() && !l.loopback()).toList());
        listens(server).stream().filter(l -> !l.ssl() && !l.loopback()).forEach(listens::add);
        String names = server.serverNames().isEmpty() ? "no server_name"
                : "server_name " + String.join(" ", server.serverNames().stream()
                .map(n -> n.isEmpty() ? "\"\"" : n).toList());
        for (Listen listen : listens) {
            List<ServerBlock> onPort = onPort(listen.port());
            if (DefaultServers.of(onPort, listen.port()).orElse(null) != server) {
                continue;
            }
            Optional<String> key = listen.ssl() ? certificateKey(server) : Optional.of("");
            if (key.isEmpty()) {
                note(server.directive(), "server with " + names + " is the default server of port " + listen.port()
                        + ", but a test certificate cannot carry a host for it; no route written for it");
                return Optional.empty();
            }
            String host = listen.ssl() ? testNames.getOrDefault(key.get(), DEFAULT_HOST) : DEFAULT_HOST;
            if (VirtualServers.claimedBy(onPort, host).isPresent()) {
                note(server.directive(), "server with " + names + " is the default server of port " + listen.port()
                        + ", but a server there claims even " + host + "; no route written for it");
                return Optional.empty();
            }
            String why = listen.defaultServer() ? "marked default_server" : "the first server on it";
            return Optional.of(new Base(listen, host, Optional.of("default server of port " + listen.port() + " ("
                    + why + ", " + names + "): nginx gives it every host no other server there claims, such as "
                    + host), listen.ssl() ? key : Optional.empty()));
        }
        if (server.serverNames().stream().allMatch(StarterRouteTable::unusableName)) {
            note(server.directive(), "server with " + names + " is not the default server of any port it listens on,"
                    + " so nginx routes no request to it; no route written for it");
        }
        return Optional.empty();
    }

    /** The {@code server_name} value tls.testNames can give the default host for ("" when the server has none). */
    private static Optional<String> certificateKey(ServerBlock server) {
        if (server.serverNames().isEmpty()) {
            return Optional.of("");
        }
        return server.serverNames().stream().filter(n -> n.equals("_") || n.isEmpty()).findFirst();
    }

    private static boolean unusableName(String name) {
        return name.isEmpty() || name.equals("_") || name.startsWith("$");
    }

    private static boolean isDefaultHost(String host) {
        return host.equals(DEFAULT_HOST);
    }

    private List<ServerBlock> onPort(int port) {
        return config.servers().stream().filter(s -> s.listens().stream().anyMatch(l -> l.port() == port)).toList();
    }

    // ---- one location ------------------------------------------------------------------------------------------

    private LocationResolver.Request request(Base base, String path, String method) {
        // What ProxyStage's client sends: Host, and headers whose values this resolver cannot know.
        return new LocationResolver.Request(method, base.listen().ssl() ? "https" : "http",
                base.host().toLowerCase(Locale.ROOT), base.listen().port(), path,
                Map.of("host", base.host(), "connection", "Keep-Alive", "accept-encoding", "gzip"),
                Set.of("user-agent", StageClient.REQUEST_ID_HEADER.toLowerCase(Locale.ROOT)));
    }

    /** A request nginx sends to {@code location} and what answers it; empty (maybe with a note) when none. */
    private Optional<Route> route(ServerBlock server, Base base, Location location, Optional<String> comment) {
        Optional<Route> gated = Optional.empty();
        Resolution unknown = null;
        String unknownPath = null;
        boolean landed = false;
        String method = method(location);
        Optional<String> why = method.equals("GET") ? Optional.empty() : Optional.of("limit_except at "
                + where(location.directive().children("limit_except").get(0), true) + " denies GET: the route sends "
                + method + ", which it lets through");
        for (String path : candidatePaths(location)) {
            Resolution r = resolver.resolve(server, request(base, path, method));
            if (r.locations().isEmpty() || r.locations().get(0) != location) {
                continue;
            }
            landed = true;
            Optional<String> said = comment;
            if (why.isPresent()) {
                said = Optional.of(comment.map(c -> c + "; ").orElse("") + why.get());
            }
            Optional<Route> judged = judge(server, base, location, path, method, r, said);
            Optional<Route> route = judged.isPresent() && !judged.get().active()
                    && r.answer().kind() == Kind.FILES_GATE
                    ? withFile(server, base, location, path, method, r, said, Optional.empty()).or(() -> judged)
                    : judged;
            if (route.isPresent() && route.get().active()) {
                return route;
            }
            if (gated.isEmpty()) {
                gated = route;
            }
            if (r.answer().kind() == Kind.UNKNOWN && unknown == null) {
                unknown = r;
                unknownPath = path;
            }
        }
        if (gated.isPresent()) {
            Route g = gated.get();
            note(location.directive(), g.gate().get().deny()
                    ? "location " + describe(location) + " is restricted by \"deny " + String.join(" ",
                    g.gate().get().at().args()) + "\" (" + (g.gate().get().at().file().equals(location.file())
                    ? "line " + g.gate().get().at().line() : g.gate().get().at().where()) + "); its route "
                    + g.url() + " is commented out in routes.yml"
                    : "location " + describe(location) + ": its route " + g.url() + " is commented out in routes.yml: "
                    + g.gate().get().note());
            return gated;
        }
        if (unknown != null && (hasPass(location) || unknown.locations().stream().anyMatch(StarterRouteTable::hasPass))) {
            note(location.directive(), "cannot tell what answers GET " + base.url() + unknownPath + ": "
                    + unknown.answer().detail() + "; add its route to routes.yml by hand");
        } else if (!landed && reachesBackend(location) && !unreached.contains(location)) {
            unreached.add(location);
        }
        return Optional.empty();
    }

    /**
     * The route behind a {@code try_files ... =404} that lets a request on to its location's pass only when the PHP
     * front controller exists ({@code try_files $uri =404; fastcgi_pass php:9000}). In production the file
     * is there, in the volume nginx shares with the app; a stage places an empty stand-in at that path (pipeline.yml's
     * nginx.files), so the route is active and tests where nginx sends it. Empty when the stand-in would not get
     * the request to a backend.
     */
    private Optional<Route> withFile(ServerBlock server, Base base, Location location, String path, String method,
                                     Resolution gated, Optional<String> comment, Optional<String> named) {
        if (gated.filesTested().isEmpty()) {
            return Optional.empty();
        }
        // The gate's own try_files looked last (a try_files on the way, "$uri $uri/ /index.php", looked first).
        String file = gated.filesTested().get(gated.filesTested().size() - 1);
        // Only the front controller, which every PHP app has, or a script the configuration itself names (a
        // rewrite's target): any other script name would be a guess at the app's files.
        if (!file.endsWith(FRONT_CONTROLLER) && named.filter(n -> n.endsWith(".php") && file.endsWith(n)).isEmpty()) {
            return Optional.empty();
        }
        Resolution r = resolver.resolve(server, request(base, path, method), Set.of(file));
        if (r.answer().kind() != Kind.PASS) {
            return Optional.empty();
        }
        Directive tf = gated.answer().by().orElseThrow();
        String why = "try_files at " + where(tf, true) + " answers " + gated.answer().status() + " unless " + file
                + " exists, as the app's files provide it in production: pipeline.yml's nginx.files places a stand-in"
                + " there";
        Optional<Route> route = judge(server, base, location, path, method, r,
                Optional.of(comment.map(c -> c + "; ").orElse("") + why));
        return route.filter(Route::active).map(a -> new Route(a.method(), a.url(), a.backends(), a.from(),
                a.answeredBy(), a.gate(), a.comments(), List.of(file)));
    }

    /**
     * The request a server-level {@code rewrite} to a literal URI takes on to a backend: a path its regex matches,
     * resolved from the start (the rewrite runs first). A gate on a script the rewrite names gets its stand-in, as
     * the front controller's does. Only an active route: a gated one says nothing the location's own route does not.
     */
    private Optional<Route> viaRewrite(ServerBlock server, Base base, Directive rewrite, Optional<String> comment) {
        List<String> args = rewrite.args();
        if (args.size() < 2 || !args.get(1).startsWith("/") || args.get(1).contains("$")
                || (args.size() > 2 && Set.of("redirect", "permanent").contains(args.get(2)))) {
            return Optional.empty();
        }
        Optional<String> sample = RegexSamples.path(args.get(0), false);
        if (sample.isEmpty()) {
            return Optional.empty();
        }
        String path = sample.get();
        Resolution r = resolver.resolve(server, request(base, path, "GET"));
        if (r.locations().isEmpty()) {
            return Optional.empty();
        }
        Location location = r.locations().get(0);
        Optional<String> said = Optional.of(comment.map(c -> c + "; ").orElse("") + "rewrite at "
                + where(rewrite, true) + " makes it " + args.get(1));
        Optional<Route> judged = judge(server, base, location, path, "GET", r, said);
        if (judged.isPresent() && !judged.get().active() && r.answer().kind() == Kind.FILES_GATE) {
            String target = args.get(1).contains("?") ? args.get(1).substring(0, args.get(1).indexOf('?')) : args.get(1);
            judged = withFile(server, base, location, path, "GET", r, said, Optional.of(target));
        }
        return judged.filter(Route::active);
    }

    /** A named location that the server's own configuration reaches when no location matches. */
    private Optional<Route> viaServer(ServerBlock server, Base base, Location named, Optional<String> comment) {
        for (String path : List.of("/", "/route")) {
            Resolution r = resolver.resolve(server, request(base, path, "GET"));
            if (r.locations().size() == 1 && r.locations().get(0) == named) {
                return judge(server, base, named, path, "GET", r, comment);
            }
        }
        return Optional.empty();
    }

    /** The route a resolution makes: a pass to one decided backend, maybe behind a gate; nothing otherwise. */
    private Optional<Route> judge(ServerBlock server, Base base, Location from, String path, String method,
                                  Resolution r, Optional<String> comment) {
        LocationResolver.Answer answer = r.answer();
        Location answeredBy = answer.location().orElse(null);
        if (answer.kind() == Kind.PASS || answer.kind() == Kind.FILES_GATE) {
            r.locations().forEach(l -> passedThrough.put(l, true));
        }
        String url = base.url() + path;
        List<String> comments = new ArrayList<>();
        comment.ifPresent(comments::add);
        Location last = r.locations().isEmpty() ? null : r.locations().get(r.locations().size() - 1);
        if (r.locations().size() > 1 && last != null) {
            comments.add("nginx takes it on to location " + describe(last) + " (" + where(last.directive(), true) + ")"
                    + (r.filesAssumed() ? ", as no file exists in a stage" : ""));
        }
        switch (answer.kind()) {
            case PASS -> {
                Directive pass = answer.by().orElseThrow();
                Optional<List<String>> backend = backendOf(r, answeredBy == null ? from : answeredBy);
                if (backend.isEmpty()) {
                    return Optional.empty();
                }
                if (r.errorStatus() != 0) {
                    return Optional.empty(); // error_page without "=": the client sees the error's code
                }
                Optional<Gate> gate = r.restrictedBy().map(deny -> new Gate("restricted by \"deny "
                        + String.join(" ", deny.args()) + "\"", "", deny, true));
                // The route says what the stack means; where nginx cannot look the host up, it says why it fails.
                answer.targets().stream().filter(t -> t.resolver().isEmpty() && StagePlanCheck.resolvedAtRequestTime(t))
                        .findFirst().ifPresent(t -> comments.add(pass.name() + " at " + where(pass, true)
                                + " has variables, so nginx looks " + t.host() + " up per request, and no resolver is"
                                + " set: nginx answers 502 (\"no resolver defined\") until the configuration sets one"
                                + " (\"resolver 127.0.0.11;\", Docker's DNS)"));
                return Optional.of(new Route(method, url, backend.get(), from, answeredBy, gate, comments, List.of()));
            }
            case FILES_GATE, STATIC, DENIED, AUTH -> {
                Location holder = answeredBy != null ? answeredBy : last;
                if (holder == null) {
                    return Optional.empty();
                }
                Optional<Directive> pass = ownPass(holder);
                if (pass.isEmpty()) {
                    return Optional.empty(); // static content: no backend to test
                }
                Optional<List<String>> backend = backendOf(pass.get(), holder);
                if (backend.isEmpty()) {
                    return Optional.empty();
                }
                Directive at = answer.by().orElse(holder.directive());
                return Optional.of(new Route(method, url, backend.get(), from, holder, Optional.of(new Gate(
                        reason(answer, at, true), reason(answer, at, false), at, false)), comments, List.of()));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** Why a gate keeps the backend from answering in a stage. */
    private String reason(LocationResolver.Answer answer, Directive at, boolean relative) {
        String where = where(at, relative);
        return switch (answer.kind()) {
            case FILES_GATE -> "try_files at " + where + " answers " + answer.status() + " unless the file exists,"
                    + " and only the production container has its files";
            case STATIC -> "nginx serves static files here (" + at.name() + " at " + where + "), which only the"
                    + " production container has";
            case DENIED -> "\"deny " + String.join(" ", at.args()) + "\" at " + where + " answers 403 before the"
                    + " backend";
            default -> "auth_basic at " + where + " answers 401 before the backend; add credentials to the request"
                    + " to enable it";
        };
    }

    /** {@code file:line}, relative to the output directory for routes.yml. */
    private String where(Directive d, boolean relative) {
        return relative ? ProjectInit.relative(out, d.file()) + ":" + d.line() : d.where();
    }

    /**
     * The backend the resolved request reaches: for a pass through {@code set}/{@code map} variables, the one
     * their value for this request names; an upstream block's servers, one of which answers as nginx balances.
     * Empty when a target is undecided (Discovery noted why), and with a note for variables the request does not
     * decide (the note says why).
     */
    private Optional<List<String>> backendOf(Resolution r, Location location) {
        Set<String> reached = new LinkedHashSet<>();
        for (ProxyTarget t : r.answer().targets()) {
            String alias = discovery.aliasByTarget.get(t);
            if (alias == null) {
                return Optional.empty(); // undecided: Discovery noted why
            }
            reached.add(alias);
        }
        if (reached.size() == 1 || (reached.size() > 1 && r.passUndecided().isEmpty())) {
            return Optional.of(List.copyOf(reached));
        }
        if (reached.size() > 1) {
            note(location.directive(), "location " + describe(location) + " reaches several backends ("
                    + String.join(", ", reached) + "); routes.yml names none for it (which one a plain GET reaches"
                    + " is not certain: " + r.passUndecided().get() + ")");
        }
        return Optional.empty();
    }

    /** The decided backends of a pass (an upstream block's servers: several); empty otherwise. */
    private Optional<List<String>> backendOf(Directive pass, Location location) {
        Set<String> reached = discovery.aliasesByPass.get(pass);
        if (reached == null || reached.isEmpty()) {
            return Optional.empty(); // undecided: Discovery noted why
        }
        return Optional.of(List.copyOf(reached));
    }

    /**
     * The method a route to {@code location} sends: GET, unless a {@code limit_except} there denies it; then the
     * first method it names other than HEAD: an answer with a body lets the echo backend say who answered where
     * nginx logs no trace (a server with its own access_log), and the method is the one the location is for.
     */
    static String method(Location location) {
        List<Directive> limits = location.directive().children("limit_except");
        if (limits.isEmpty() || LocationResolver.allows(limits.get(0), "GET")
                || limits.get(0).block().stream().noneMatch(d -> d.name().equals("deny"))) {
            return "GET";
        }
        List<String> named = limits.get(0).args().stream().map(a -> a.toUpperCase(Locale.ROOT)).toList();
        return named.stream().filter(m -> !m.equals("HEAD")).findFirst().orElse(named.isEmpty() ? "GET" : named.get(0));
    }

    private List<String> candidatePaths(Location location) {
        String pattern = location.pattern();
        List<String> paths = switch (location.modifier()) {
            case EXACT -> List.of(pattern);
            case PREFIX, PREFERRED_PREFIX -> pattern.endsWith("/")
                    ? List.of(pattern, pattern + "route")
                    : List.of(pattern, pattern + "/route");
            case REGEX, REGEX_CASE_INSENSITIVE -> {
                boolean caseless = location.modifier() == Modifier.REGEX_CASE_INSENSITIVE;
                List<Location> around = enclosing.getOrDefault(location, List.of());
                List<String> sample = samples.computeIfAbsent((caseless ? "i " : "- ") + pattern + around.stream()
                                .map(l -> " in " + l.modifier().symbol() + " " + l.pattern()).collect(Collectors.joining()),
                        k -> RegexSamples.path(pattern, caseless, around)).map(List::of).orElse(List.of());
                // A FastCGI location's route names the front controller every PHP app has (when the regex takes
                // it), not a made-up script such as "/.php": a stand-in goes where nginx looks for it.
                boolean fastcgi = location.directive().block().stream().anyMatch(d -> d.name().equals("fastcgi_pass"));
                if (fastcgi && !sample.contains(FRONT_CONTROLLER)) {
                    List<String> both = new ArrayList<>(List.of(FRONT_CONTROLLER));
                    both.addAll(sample);
                    yield both;
                }
                yield sample;
            }
            case NAMED -> List.of();
        };
        // A try_files that tests "$uri/" finds the document root itself for "/": a stage's image has one.
        boolean testsDirectories = location.directive().children("try_files").stream()
                .anyMatch(tf -> tf.args().stream().anyMatch(a -> a.endsWith("/")));
        if (testsDirectories && paths.size() > 1 && paths.get(0).endsWith("/")) {
            return List.of(paths.get(1), paths.get(0));
        }
        return paths;
    }

    /** Every location, nested ones after their parent; each nested one's parents go into {@link #enclosing}. */
    private List<Location> flatten(List<Location> locations) {
        return flatten(locations, List.of());
    }

    private List<Location> flatten(List<Location> locations, List<Location> around) {
        List<Location> all = new ArrayList<>();
        for (Location l : locations) {
            all.add(l);
            if (!around.isEmpty()) {
                enclosing.put(l, around);
            }
            List<Location> inner = new ArrayList<>(around);
            inner.add(l);
            all.addAll(flatten(l.locations(), List.copyOf(inner)));
        }
        return all;
    }

    private static Optional<Directive> ownPass(Location location) {
        return passes(location.directive().block()).stream().findFirst();
    }

    private static boolean hasPass(Location location) {
        return !passes(location.directive().block()).isEmpty();
    }

    /** A location whose own pass, or a {@code try_files}/{@code error_page} to a named location, reaches a backend. */
    private static boolean reachesBackend(Location location) {
        return hasPass(location) || location.directive().block().stream()
                .anyMatch(d -> (d.name().equals("try_files") || d.name().equals("error_page"))
                        && d.args().stream().anyMatch(a -> a.startsWith("@")));
    }

    /** Pass directives of a location body, through {@code if} and {@code limit_except}, not nested locations. */
    private static List<Directive> passes(List<Directive> block) {
        List<Directive> found = new ArrayList<>();
        for (Directive d : block) {
            if (Set.of("proxy_pass", "grpc_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass").contains(d.name())) {
                found.add(d);
            } else if (d.hasBlock() && !d.name().equals("location")) {
                found.addAll(passes(d.block()));
            }
        }
        return found;
    }

    private void note(Directive at, String message) {
        ProjectInit.Note n = new ProjectInit.Note(at.file(), at.line(), message);
        if (!notes.contains(n)) {
            notes.add(n);
        }
    }

    static String describe(Location location) {
        return LocationResolver.describe(location);
    }
}
