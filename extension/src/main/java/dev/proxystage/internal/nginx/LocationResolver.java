package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Location.Modifier;
import dev.proxystage.internal.nginx.NginxRegex.Captures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which location nginx picks for a request, and what answers it, by nginx's own rules (ngx_http_core_module and
 * ngx_http_rewrite_module), as a stage runs the configuration: without the production container's files.
 *
 * <p>The location: an exact {@code =} match; else the longest prefix, whose nested locations are searched the same
 * way; a {@code ^~} prefix ends the search, otherwise the regexes ({@code ~}, {@code ~*} caseless) of that level are
 * tried in configuration order (a nested level's first); a request for {@code /app} when {@code location /app/}
 * passes to a backend is redirected (301) to {@code /app/}. Named locations ({@code @name}) are never matched by a
 * URI; {@code internal} ones answer 404 to a request that no rewrite or redirect brought there.
 *
 * <p>Then the phases: server-level rewrite directives once per search ({@code rewrite}, {@code return}, {@code set},
 * {@code if}, {@code break}); the location's own ones (none when no location matched) ({@code last}, or no flag, starts the search again with the new
 * URI, at most 10 times, then 500; {@code break} stays; {@code redirect}, {@code permanent} or a replacement starting
 * with {@code http://}, {@code https://} or {@code $scheme} answer 302/301); {@code allow}/{@code deny} and
 * {@code auth_basic}; {@code try_files}, whose files never exist here, so its last argument decides
 * ({@code =404}, {@code @named}, or a URI searched again); then the content: a pass
 * ({@code proxy_pass}, {@code fastcgi_pass}, {@code uwsgi_pass}, {@code scgi_pass}, {@code grpc_pass}) or static
 * files. An error answer (a {@code return} without text, a missing file, 403, 401, a 3xx) goes through
 * {@code error_page} once: to a URI, a named location, or a redirect; without {@code =} the client still sees the
 * error code.
 *
 * <p>What it cannot know (a regex Java reads otherwise, an {@code if} on a variable the request does not decide,
 * a content module it does not model) is {@link Kind#UNKNOWN}, never a guess.
 */
public final class LocationResolver {

    /** nginx's NGX_HTTP_MAX_URI_CHANGES: the rewrites and internal redirects one request may take. */
    static final int MAX_URI_CHANGES = 10;

    private static final Set<String> PASSES = PassTargets.PASSES;
    private static final Set<String> AUTO_REDIRECT = Set.of("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass",
            "grpc_pass", "memcached_pass");
    /** Content handlers besides the passes and static files: what they answer is theirs to say. */
    private static final Set<String> OTHER_CONTENT = Set.of("memcached_pass", "stub_status", "empty_gif",
            "js_content", "perl", "flv", "mp4", "hls", "f4f", "content_by_lua", "content_by_lua_block",
            "content_by_lua_file", "echo", "dav_methods", "image_filter");
    private static final Set<String> REDIRECT_CODES = Set.of("301", "302", "303", "307", "308");
    private static final Set<String> FLOW = Set.of("rewrite", "return", "break", "if");

    private final Map<Directive, Directive> parents = new IdentityHashMap<>();
    private final Map<Directive, List<ProxyTarget>> targets = new IdentityHashMap<>();
    /** The http context's {@code map} blocks by the variable they define (lower case, no "$"); the last one wins. */
    private final Map<String, Directive> maps = new HashMap<>();
    /** Compiled regexes by flag and text: init resolves many requests against the same locations. */
    private final Map<String, Optional<NginxRegex>> regexes = new HashMap<>();

    public LocationResolver(NginxConfig config) {
        Deque<Directive> open = new ArrayDeque<>(config.directives());
        while (!open.isEmpty()) {
            Directive d = open.pop();
            for (Directive child : d.block()) {
                if (child.hasBlock()) {
                    parents.put(child, d);
                    open.push(child);
                }
            }
        }
        for (ProxyTarget t : config.proxyTargets()) {
            targets.computeIfAbsent(t.directive(), k -> new ArrayList<>()).add(t);
        }
        // In configuration order (nginx gives a variable to the last map that defines it); a stream block's maps
        // are not the http requests'.
        Deque<Directive> queue = new ArrayDeque<>(config.directives());
        while (!queue.isEmpty()) {
            Directive d = queue.pollFirst();
            if (d.name().equals("map") && d.hasBlock() && d.args().size() == 2 && d.args().get(1).startsWith("$")) {
                maps.put(d.args().get(1).substring(1).toLowerCase(Locale.ROOT), d);
            } else if (d.hasBlock() && !d.name().equals("stream") && !Parser.DATA_BLOCKS.contains(d.name())) {
                queue.addAll(d.block());
            }
        }
    }

    /**
     * A request as a client sends it.
     *
     * @param method  {@code GET}
     * @param scheme  {@code http} or {@code https}
     * @param host    the Host header without port, lower case
     * @param port    the port the request reached nginx on
     * @param target  the request target as sent: path and optional query, percent-encoded
     * @param headers the headers whose values are known, by lower-case name; any other header is absent, except
     *                {@code opaque} ones
     * @param opaque  headers the client sends with a value this resolver does not know (a User-Agent)
     */
    public record Request(String method, String scheme, String host, int port, String target,
                          Map<String, String> headers, Set<String> opaque) {

        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(target, "target");
            headers = Map.copyOf(headers);
            opaque = Set.copyOf(opaque);
        }

        /** {@code GET target} over http on port 80 with nothing but a Host header. */
        public static Request get(String host, String target) {
            return new Request("GET", "http", host, 80, target, Map.of("host", host), Set.of());
        }

        public Request on(String requestScheme, int requestPort) {
            return new Request(method, requestScheme, host, requestPort, target, headers, opaque);
        }
    }

    /** What answers a request. */
    public enum Kind {
        /** {@code return code [text]} */
        RETURN,
        /** a redirect: {@code return 301 url}, a redirecting {@code rewrite}, {@code error_page ... url}, or 301 to the slashed URI */
        REDIRECT,
        /** a pass to a backend: {@code proxy_pass}, {@code fastcgi_pass}, {@code uwsgi_pass}, {@code scgi_pass}, {@code grpc_pass} */
        PASS,
        /** static files ({@code root}/{@code alias}); none exist in a stage, so 404 there */
        STATIC,
        /** {@code try_files ... =code}: the code, unless a file exists (only the production container has them) */
        FILES_GATE,
        /** {@code deny} answers 403 */
        DENIED,
        /** {@code auth_basic} answers 401 */
        AUTH,
        /** nginx's own error: an internal location (404), a redirection cycle or a missing named location (500), a bad URI (400) */
        ERROR,
        /** what answers cannot be told from the configuration alone */
        UNKNOWN
    }

    /**
     * The answer.
     *
     * @param status   the code nginx answers with (0 for a pass and for UNKNOWN: the backend's, or not known)
     * @param by       the directive that answers (a return, rewrite, pass, try_files, deny, the root or alias, ...)
     * @param location the location that answers; empty for the server's own configuration
     * @param targets  for a pass: where it goes (upstream host and port, see {@link ProxyTarget})
     * @param detail   one line: why, for notes
     */
    public record Answer(Kind kind, int status, Optional<Directive> by, Optional<Location> location,
                         List<ProxyTarget> targets, String detail) {
        public Answer {
            targets = List.copyOf(targets);
        }
    }

    /**
     * A request's way through a server block.
     *
     * @param answer       what answers
     * @param errorStatus  set when an {@code error_page} without {@code =} led to the answer: the code the client
     *                     sees whatever answers
     * @param restrictedBy a {@code deny} whose outcome depends on the client's address, passed on the way
     * @param locations    the locations the request went through, in order (named ones included)
     * @param steps        what happened, one line each
     * @param filesAssumed whether a file test ({@code try_files}, {@code if -f}) was decided by there being no files
     * @param filesTested  the files (container paths) try_files looked for and did not find, in order
     * @param passUndecided for a pass whose address has variables: why this request does not decide their value
     *                     (then the answer's targets are all the configuration allows); empty when it does, and the
     *                     targets are the ones this request reaches
     */
    public record Resolution(Answer answer, int errorStatus, Optional<Directive> restrictedBy,
                             List<Location> locations, List<String> steps, boolean filesAssumed,
                             List<String> filesTested, Optional<String> passUndecided) {
        public Resolution {
            locations = List.copyOf(locations);
            steps = List.copyOf(steps);
            filesTested = List.copyOf(filesTested);
        }

        /** The status a client sees in a stage, when the configuration decides it (not for a pass or UNKNOWN). */
        public OptionalInt status() {
            if (errorStatus != 0) {
                return OptionalInt.of(errorStatus);
            }
            return answer.status() == 0 ? OptionalInt.empty() : OptionalInt.of(answer.status());
        }

        /** Whether a pass answers, and nothing overrides its status. */
        public boolean reachesBackend() {
            return answer.kind() == Kind.PASS;
        }
    }

    /** How {@code server} answers {@code request}. */
    public Resolution resolve(ServerBlock server, Request request) {
        return resolve(server, request, Set.of());
    }

    /** How {@code server} answers {@code request} when the files {@code files} (container paths) exist. */
    public Resolution resolve(ServerBlock server, Request request, Set<String> files) {
        return new Run(server, request, files).run();
    }

    /** How {@code server} answers {@code GET target} with only a Host header. */
    public Resolution resolve(ServerBlock server, String target) {
        String host = server.serverNames().isEmpty() ? "" : server.serverNames().get(0);
        int port = server.listens().isEmpty() ? 80 : server.listens().get(0).port();
        return resolve(server, Request.get(host, target).on("http", port));
    }

    // ---- location search -----------------------------------------------------------------------------------

    private enum Rc { EXACT, REDIRECT, PREFIX, NONE, UNKNOWN }

    /** @param matches the regex matches on the way, in order: each sets captures as nginx's would */
    private record Match(Rc rc, Location location, List<Captures> matches, String unknown) {
    }

    /** A map variable's value for one request; empty, with why, when the request does not decide it. */
    private record Mapped(Optional<String> value, String why) {
    }

    /** Maps whose values name other maps, at most this deep (a loop nginx would refuse at request time). */
    private static final int MAX_MAP_DEPTH = 16;

    private Optional<NginxRegex> regex(String pcre, boolean caseless) {
        return regexes.computeIfAbsent((caseless ? "i " : "- ") + pcre, k -> NginxRegex.compile(pcre, caseless));
    }

    /** ngx_http_core_find_location: one level's static locations, then its nested ones, then its regexes. */
    Match find(List<Location> level, String uri, Location current) {
        Location exact = null;
        Location longest = null;
        Location slashed = null;
        for (Location l : level) {
            switch (l.modifier()) {
                case EXACT -> {
                    if (exact == null && l.pattern().equals(uri)) {
                        exact = l;
                    }
                }
                case PREFIX, PREFERRED_PREFIX -> {
                    if (uri.startsWith(l.pattern()) && (longest == null
                            || l.pattern().length() > longest.pattern().length())) {
                        longest = l;
                    }
                }
                default -> {
                }
            }
            if (l.modifier() != Modifier.REGEX && l.modifier() != Modifier.REGEX_CASE_INSENSITIVE
                    && l.modifier() != Modifier.NAMED && slashed == null && l.pattern().equals(uri + "/")
                    && autoRedirects(l)) {
                slashed = l;
            }
        }
        if (exact != null) {
            return new Match(Rc.EXACT, exact, List.of(), null);
        }
        // The tree search meets "uri/" only when no location is named "uri" itself.
        if (slashed != null && (longest == null || longest.pattern().length() != uri.length())) {
            return new Match(Rc.REDIRECT, slashed, List.of(), null);
        }
        Location found = current;
        Rc rc = Rc.NONE;
        List<Captures> matches = List.of();
        boolean noRegex = false;
        if (longest != null) {
            noRegex = longest.modifier() == Modifier.PREFERRED_PREFIX;
            Match nested = find(longest.locations(), uri, longest);
            if (nested.rc == Rc.EXACT || nested.rc == Rc.REDIRECT || nested.rc == Rc.UNKNOWN) {
                return nested;
            }
            found = nested.location;
            matches = nested.matches;
            rc = Rc.PREFIX;
        }
        if (!noRegex) {
            for (Location l : level) {
                if (l.modifier() != Modifier.REGEX && l.modifier() != Modifier.REGEX_CASE_INSENSITIVE) {
                    continue;
                }
                Optional<NginxRegex> regex = regex(l.pattern(), l.modifier() == Modifier.REGEX_CASE_INSENSITIVE);
                if (regex.isEmpty()) {
                    return new Match(Rc.UNKNOWN, l, List.of(), "the regex of location " + describe(l)
                            + " uses PCRE syntax ProxyStage does not read");
                }
                Optional<Captures> m = regex.get().find(uri);
                if (m.isPresent()) {
                    Match nested = find(l.locations(), uri, l);
                    if (nested.rc == Rc.UNKNOWN) {
                        return nested;
                    }
                    // nginx takes a regex location's nested answer as final, a slash redirect included.
                    List<Captures> all = new ArrayList<>(matches);
                    all.add(m.get());
                    all.addAll(nested.matches);
                    return new Match(Rc.EXACT, nested.location, all, null);
                }
            }
        }
        return new Match(rc, found, matches, null);
    }

    /** A location named with a final "/" whose own pass makes nginx redirect the unslashed URI. */
    private static boolean autoRedirects(Location l) {
        return l.pattern().endsWith("/") && l.directive().block().stream().anyMatch(d -> AUTO_REDIRECT.contains(d.name()));
    }

    /** {@code = /x}, {@code ~* \.php$}, {@code @app}, {@code /}: a location as written. */
    public static String describe(Location location) {
        String symbol = location.modifier().symbol();
        return location.modifier() == Modifier.NAMED ? "@" + location.pattern()
                : symbol.isEmpty() ? location.pattern() : symbol + " " + location.pattern();
    }

    // ---- one request ---------------------------------------------------------------------------------------

    /** r->loc_conf: a location's configuration, or the server's, or an {@code if} block's inside either. */
    private record Conf(Directive block, Location location, Directive ifBlock) {
        Directive innermost() {
            return ifBlock != null ? ifBlock : block;
        }
    }

    /** The outcome of a rewrite directive list. */
    private static final class Flow {
        Conf conf;
        Answer answer;
        boolean special;
        boolean changed;
        boolean stopped;

        Flow(Conf conf) {
            this.conf = conf;
        }
    }

    private final class Run {
        final ServerBlock server;
        final Request request;
        final Conf serverConf;
        String uri;
        String args;
        boolean internal;
        int uriChanges = MAX_URI_CHANGES + 1;
        boolean errorPageUsed;
        int errStatus;
        Captures captures = Captures.NONE;
        final Map<String, String> vars = new HashMap<>();
        Directive restrictedBy;
        final List<Location> visited = new ArrayList<>();
        final List<String> steps = new ArrayList<>();
        boolean filesAssumed;
        final Set<String> files;
        final List<String> filesTested = new ArrayList<>();
        /** The configuration the content phase runs in, once the rewrites are done. */
        Conf current;
        /** Map variables evaluated so far: nginx keeps a map's value for the rest of the request, unless volatile. */
        final Map<String, Mapped> mapped = new HashMap<>();
        int mapDepth;
        /** The first variable the last expansion could not know, and why a map could not decide, if one did not. */
        String unknownVariable;
        String mapUndecided;
        String passUndecided;

        Run(ServerBlock server, Request request, Set<String> files) {
            this.server = server;
            this.request = request;
            this.files = files;
            this.serverConf = new Conf(server.directive(), null, null);
            // A regex server_name that picked this server captured first: $1 and its named groups ($user).
            for (String name : server.serverNames()) {
                if (name.startsWith("~")) {
                    Optional<Captures> m = regex(name.substring(1), true).flatMap(r -> r.find(request.host()));
                    if (m.isPresent()) {
                        matched(m.get());
                        break;
                    }
                }
            }
        }

        /**
         * A successful regex match: its groups become $1.. (none for a regex without groups), its named groups
         * variables that outlive it. A location regex that fails leaves $1.. as they were; one of the rewrite
         * module ({@code rewrite}, {@code if ~}) empties them (what nginx 1.26 does, seen in its answers).
         */
        void matched(Captures m) {
            captures = m;
            vars.putAll(m.named());
        }

        Resolution run() {
            Answer answer;
            int q = request.target().indexOf('?');
            String path = q < 0 ? request.target() : request.target().substring(0, q);
            args = q < 0 ? "" : request.target().substring(q + 1);
            Optional<String> normalized = normalize(path);
            if (normalized.isEmpty()) {
                answer = new Answer(Kind.ERROR, 400, Optional.empty(), Optional.empty(), List.of(),
                        "nginx refuses the request target " + request.target());
                errStatus = 400;
            } else {
                uri = normalized.get();
                answer = serverRewrite();
            }
            return new Resolution(answer, errStatus == answer.status() ? 0 : errStatus,
                    Optional.ofNullable(restrictedBy), visited, steps, filesAssumed, filesTested,
                    Optional.ofNullable(passUndecided));
        }

        Answer serverRewrite() {
            Flow flow = rewrites(serverConf);
            if (flow.answer != null) {
                return finish(flow.answer, flow.special, flow.conf);
            }
            return findConfig();
        }

        Answer findConfig() {
            Match m = find(server.locations(), uri, null);
            if (m.rc == Rc.UNKNOWN) {
                return unknown(m.location.directive(), m.location, m.unknown);
            }
            Conf conf = m.location == null ? serverConf : new Conf(m.location.directive(), m.location, null);
            if (m.location != null) {
                visited.add(m.location);
                step("location " + describe(m.location) + " (" + m.location.directive().where() + ") for " + uri);
            } else {
                step("no location for " + uri + ": the server's own configuration");
            }
            if (m.rc == Rc.REDIRECT) {
                return finish(new Answer(Kind.REDIRECT, 301, Optional.of(m.location.directive()),
                        Optional.of(m.location), List.of(), "location " + describe(m.location)
                        + " passes to a backend, so nginx redirects " + uri + " to " + uri + "/"), true, conf);
            }
            m.matches.forEach(this::matched);
            if (m.location != null && !internal && !m.location.directive().children("internal").isEmpty()) {
                return finish(new Answer(Kind.ERROR, 404, Optional.of(m.location.directive().children("internal")
                        .get(0)), Optional.of(m.location), List.of(), "location " + describe(m.location)
                        + " is internal: a request from outside gets 404"), true, conf);
            }
            return locationRewrite(conf);
        }

        Answer locationRewrite(Conf conf) {
            if (conf == serverConf) {
                // ngx_http_rewrite_handler skips the location phase for the server's null location: the server's
                // rewrites ran once already.
                return afterRewrite(conf);
            }
            Flow flow = rewrites(conf);
            if (flow.answer != null) {
                return finish(flow.answer, flow.special, flow.conf);
            }
            if (flow.changed) {
                if (--uriChanges == 0) {
                    return cycle();
                }
                step("search again for " + uri);
                return findConfig();
            }
            return afterRewrite(flow.conf);
        }

        Answer afterRewrite(Conf conf) {
            current = conf;
            Location here = conf.location;
            // Access: allow/deny, then auth_basic (satisfy all, unless "satisfy any"). A method limit_except does
            // not allow takes its block's rules (or the location's, when it has none).
            List<Directive> rules = inheritedRules(conf.block);
            if (conf.location != null) {
                for (Directive limit : conf.block.children("limit_except")) {
                    List<Directive> own = limit.block().stream()
                            .filter(d -> d.name().equals("allow") || d.name().equals("deny")).toList();
                    if (!allows(limit, request.method()) && !own.isEmpty()) {
                        step("limit_except at " + limit.where() + " does not allow " + request.method());
                        rules = own;
                    }
                }
            }
            boolean addressDecides = false;
            Directive firstDeny = null;
            Boolean allowed = null;
            Directive decidedBy = null;
            for (Directive rule : rules) {
                String who = rule.arg(0).orElse("");
                boolean deny = rule.name().equals("deny");
                if (who.equals("all")) {
                    if (!addressDecides) {
                        allowed = !deny;
                        decidedBy = rule;
                    } else if (firstDeny == null && deny) {
                        firstDeny = rule;
                    }
                    break;
                }
                addressDecides = true;
                if (deny && firstDeny == null) {
                    firstDeny = rule;
                }
            }
            if (addressDecides && firstDeny != null) {
                restrictedBy = firstDeny;
                step("\"deny\" at " + firstDeny.where() + ": the client's address decides");
            }
            boolean satisfyAny = inherited(conf.block, "satisfy").flatMap(d -> d.arg(0)).map("any"::equals)
                    .orElse(false);
            Optional<Directive> auth = inherited(conf.block, "auth_basic")
                    .filter(d -> !d.arg(0).orElse("off").equals("off"));
            if (Boolean.FALSE.equals(allowed) && !(satisfyAny && auth.isPresent())) {
                return finish(new Answer(Kind.DENIED, 403, Optional.of(decidedBy), Optional.ofNullable(here),
                        List.of(), "\"deny all\" at " + decidedBy.where()), true, conf);
            }
            if (auth.isPresent() && !(satisfyAny && Boolean.TRUE.equals(allowed))) {
                return finish(new Answer(Kind.AUTH, 401, auth, Optional.ofNullable(here), List.of(),
                        "auth_basic at " + auth.get().where() + " asks for credentials"), true, conf);
            }
            // try_files belongs to the location (or the server, when no location matched); nothing inherits it, not
            // even an "if" that holds: its block is the request's configuration then ("if is evil"), and the
            // location's pass is its content handler still, its try_files not.
            List<Directive> tryFiles = conf.ifBlock != null ? List.of() : conf.block.children("try_files");
            Optional<String> found = tryFiles.isEmpty() ? Optional.empty() : existing(tryFiles.get(0), conf);
            if (found.isPresent()) {
                // The file exists: the URI becomes its name, and the location's content handler answers.
                uri = found.get();
            } else if (!tryFiles.isEmpty()) {
                Directive tf = tryFiles.get(0);
                filesAssumed = true;
                String last = tf.args().isEmpty() ? "" : tf.args().get(tf.args().size() - 1);
                step("try_files at " + tf.where() + ": no file exists in a stage, so " + last);
                if (last.startsWith("=")) {
                    int code;
                    try {
                        code = Integer.parseInt(last.substring(1));
                    } catch (NumberFormatException e) {
                        return unknown(tf, here, "try_files ends in " + last);
                    }
                    return finish(new Answer(Kind.FILES_GATE, code, Optional.of(tf), Optional.ofNullable(here),
                            List.of(), "try_files at " + tf.where() + " answers " + code
                            + " unless a file exists, and only the production container has its files"), true, conf);
                }
                if (last.startsWith("@")) {
                    return named(last.substring(1), tf);
                }
                Optional<String> target = expand(last);
                if (target.isEmpty()) {
                    return unknown(tf, here, "try_files falls back to " + last + ", which the request does not"
                            + " decide");
                }
                return internalRedirect(target.get());
            }
            Optional<Directive> pass = contentPass(conf);
            if (pass.isPresent()) {
                Directive p = pass.get();
                step(p.name() + " at " + p.where());
                return new Answer(Kind.PASS, 0, pass, Optional.ofNullable(here), reached(p),
                        p.name() + " " + String.join(" ", p.args()));
            }
            Optional<Directive> other = conf.innermost().block().stream()
                    .filter(d -> OTHER_CONTENT.contains(d.name())).findFirst()
                    .or(() -> conf.block.block().stream().filter(d -> OTHER_CONTENT.contains(d.name())).findFirst());
            if (other.isPresent()) {
                return unknown(other.get(), here, other.get().name() + " answers at " + other.get().where());
            }
            Optional<Directive> root = inherited(conf.block, "alias").or(() -> inherited(conf.block, "root"));
            step("static files" + root.map(r -> " under " + r.name() + " " + r.arg(0).orElse("")).orElse("")
                    + ": none in a stage");
            return finish(new Answer(Kind.STATIC, 404, root, Optional.ofNullable(here), List.of(),
                    "static files" + root.map(r -> " (" + r.name() + " " + r.arg(0).orElse("") + " at " + r.where()
                            + ")").orElse("") + ", which only the production container has"), true, conf);
        }

        /**
         * The first file argument of {@code try_files} that names a file of {@link #files} (under the root in
         * effect; directories and an alias are not followed); each one looked for is added to {@link #filesTested}.
         */
        Optional<String> existing(Directive tf, Conf conf) {
            if (inherited(conf.block, "alias").isPresent()) {
                return Optional.empty();
            }
            Optional<String> root = inherited(conf.block, "root").flatMap(r -> r.arg(0)).flatMap(this::expand);
            if (root.isEmpty()) {
                return Optional.empty();
            }
            String base = root.get().endsWith("/") ? root.get().substring(0, root.get().length() - 1) : root.get();
            for (String arg : tf.args().subList(0, Math.max(0, tf.args().size() - 1))) {
                Optional<String> name = expand(arg);
                if (name.isEmpty() || arg.endsWith("/") || !name.get().startsWith("/")) {
                    continue;
                }
                String file = base + name.get();
                if (files.contains(file)) {
                    step("try_files at " + tf.where() + " finds " + file);
                    return name;
                }
                if (!filesTested.contains(file)) {
                    filesTested.add(file);
                }
            }
            return Optional.empty();
        }

        /** $fastcgi_script_name: the URI, or what fastcgi_split_path_info's first group takes of it. */
        Optional<String> scriptName() {
            Optional<Directive> split = current == null ? Optional.empty()
                    : inherited(current.block, "fastcgi_split_path_info");
            if (split.isEmpty() || split.get().args().isEmpty()) {
                return Optional.of(uri);
            }
            Optional<NginxRegex> regex = regex(split.get().args().get(0), false);
            if (regex.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(regex.get().find(uri).map(m -> m.group(1)).orElse(uri));
        }

        /** The pass of an {@code if} block that holds the configuration, else the location's own. */
        Optional<Directive> contentPass(Conf conf) {
            if (conf.location == null) {
                return Optional.empty();
            }
            if (conf.ifBlock != null) {
                Optional<Directive> own = conf.ifBlock.block().stream().filter(d -> PASSES.contains(d.name()))
                        .findFirst();
                if (own.isPresent()) {
                    return own;
                }
            }
            return conf.block.block().stream().filter(d -> PASSES.contains(d.name())).findFirst();
        }

        /** ngx_http_named_location. */
        Answer named(String name, Directive from) {
            Location target = server.locations().stream()
                    .filter(l -> l.modifier() == Modifier.NAMED && l.pattern().equals(name)).findFirst().orElse(null);
            if (target == null) {
                return finish(new Answer(Kind.ERROR, 500, Optional.of(from), Optional.empty(), List.of(),
                        "no location @" + name + " in the server of " + from.where()), true, serverConf);
            }
            if (--uriChanges == 0) {
                return cycle();
            }
            visited.add(target);
            step("location @" + name + " (" + target.directive().where() + ")");
            return locationRewrite(new Conf(target.directive(), target, null));
        }

        /** ngx_http_internal_redirect: from the server's rewrites on, with the new URI. */
        Answer internalRedirect(String target) {
            if (--uriChanges == 0) {
                return cycle();
            }
            int q = target.indexOf('?');
            uri = q < 0 ? target : target.substring(0, q);
            if (q >= 0) {
                args = target.substring(q + 1);
            }
            internal = true;
            step("internal redirect to " + target);
            return serverRewrite();
        }

        Answer cycle() {
            errStatus = 500;
            return new Answer(Kind.ERROR, 500, Optional.empty(), Optional.empty(), List.of(),
                    "rewrite or internal redirection cycle (more than " + MAX_URI_CHANGES + " URI changes)");
        }

        /**
         * An answer nginx finalizes: a special response (an error, a redirect) goes through error_page once
         * (recursive_error_pages off); what a client sees is then the error's code unless "=" says otherwise.
         */
        Answer finish(Answer answer, boolean special, Conf conf) {
            if (!special) {
                return answer;
            }
            errStatus = answer.status();
            if (errorPageUsed || uriChanges == 0 || answer.status() < 300 || answer.kind() == Kind.UNKNOWN) {
                return answer;
            }
            for (Directive page : inheritedAll(conf.innermost(), "error_page")) {
                List<String> a = page.args();
                if (a.size() < 2) {
                    continue;
                }
                String target = a.get(a.size() - 1);
                int overwrite = -1;
                int codes = a.size() - 1;
                String before = a.get(a.size() - 2);
                if (before.startsWith("=")) {
                    codes--;
                    try {
                        overwrite = before.length() == 1 ? 0 : Integer.parseInt(before.substring(1));
                    } catch (NumberFormatException e) {
                        continue;
                    }
                }
                if (!a.subList(0, codes).contains(Integer.toString(answer.status()))) {
                    continue;
                }
                if (!inherited(conf.innermost(), "recursive_error_pages").flatMap(d -> d.arg(0)).map("on"::equals)
                        .orElse(false)) {
                    errorPageUsed = true;
                }
                if (overwrite >= 0) {
                    errStatus = overwrite;
                }
                step("error_page at " + page.where() + ": " + answer.status() + " goes to " + target);
                Optional<String> expanded = expand(target);
                if (expanded.isEmpty()) {
                    return unknown(page, conf.location, "error_page goes to " + target + ", which the request does"
                            + " not decide");
                }
                if (expanded.get().startsWith("/")) {
                    return internalRedirect(expanded.get());
                }
                if (expanded.get().startsWith("@")) {
                    return named(expanded.get().substring(1), page);
                }
                int code = REDIRECT_CODES.contains(Integer.toString(overwrite)) ? overwrite : 302;
                errStatus = code;
                return new Answer(Kind.REDIRECT, code, Optional.of(page), Optional.ofNullable(conf.location),
                        List.of(), "error_page at " + page.where() + " redirects to " + expanded.get());
            }
            return answer;
        }

        Answer unknown(Directive at, Location location, String why) {
            step(why);
            return new Answer(Kind.UNKNOWN, 0, Optional.ofNullable(at), Optional.ofNullable(location), List.of(), why);
        }

        // ---- the rewrite module ------------------------------------------------------------------------------

        Flow rewrites(Conf conf) {
            Flow flow = new Flow(conf);
            execute(conf.block.block(), flow, conf);
            return flow;
        }

        void execute(List<Directive> block, Flow flow, Conf base) {
            for (Directive d : block) {
                if (flow.stopped) {
                    return;
                }
                switch (d.name()) {
                    case "rewrite" -> rewrite(d, flow);
                    case "return" -> {
                        flow.answer = returned(d, flow);
                        flow.stopped = true;
                    }
                    case "set" -> {
                        if (d.args().size() == 2 && d.args().get(0).startsWith("$")) {
                            vars.put(d.args().get(0).substring(1), expand(d.args().get(1)).orElse(null));
                        }
                    }
                    case "break" -> {
                        flow.changed = false;
                        flow.stopped = true;
                        step("break at " + d.where());
                    }
                    case "if" -> {
                        Optional<Boolean> condition = condition(d);
                        if (condition.isEmpty()) {
                            if (affects(d)) {
                                flow.answer = unknown(d, base.location, "if (" + String.join(" ", d.args())
                                        .replaceAll("^\\(|\\)$", "") + ") at " + d.where()
                                        + " depends on what the request does not decide");
                                flow.stopped = true;
                            } else {
                                forgetSets(d);
                            }
                        } else if (condition.get()) {
                            step("if at " + d.where() + " holds");
                            flow.conf = new Conf(base.block, base.location, d);
                            execute(d.block(), flow, base);
                        }
                    }
                    default -> {
                    }
                }
            }
        }

        void rewrite(Directive d, Flow flow) {
            List<String> a = d.args();
            if (a.size() < 2) {
                return;
            }
            Optional<NginxRegex> regex = regex(a.get(0), false);
            if (regex.isEmpty()) {
                flow.answer = unknown(d, flow.conf.location, "the regex of \"rewrite " + a.get(0) + "\" at "
                        + d.where() + " uses PCRE syntax ProxyStage does not read");
                flow.stopped = true;
                return;
            }
            Optional<Captures> m = regex.get().find(uri);
            if (m.isEmpty()) {
                captures = Captures.NONE;
                return;
            }
            matched(m.get());
            String replacement = a.get(1);
            String flag = a.size() > 2 ? a.get(2) : "";
            boolean external = replacement.startsWith("http://") || replacement.startsWith("https://")
                    || replacement.startsWith("$scheme");
            if (external || flag.equals("redirect") || flag.equals("permanent")) {
                int code = flag.equals("permanent") ? 301 : 302;
                String to = expand(replacement).orElse(replacement);
                step("rewrite at " + d.where() + " redirects " + uri + " to " + to + " (" + code + ")");
                flow.answer = new Answer(Kind.REDIRECT, code, Optional.of(d), Optional.ofNullable(flow.conf.location),
                        List.of(), "rewrite at " + d.where() + " redirects to " + to);
                flow.special = true;
                flow.stopped = true;
                return;
            }
            Optional<String> to = expand(replacement);
            if (to.isEmpty()) {
                flow.answer = unknown(d, flow.conf.location, "\"rewrite " + a.get(0) + " " + replacement + "\" at "
                        + d.where() + " rewrites to what the request does not decide");
                flow.stopped = true;
                return;
            }
            String target = to.get();
            int q = target.indexOf('?');
            if (q >= 0) {
                String newArgs = target.substring(q + 1);
                boolean keepOld = !replacement.endsWith("?");
                args = keepOld && !args.isEmpty() && !newArgs.isEmpty() ? newArgs + "&" + args
                        : keepOld && newArgs.isEmpty() ? args : newArgs;
                target = target.substring(0, q);
            }
            if (target.isEmpty()) {
                // ngx_http_script_regex_end_code: "the rewritten URI has a zero length", and the request ends with
                // 500 (error_page may take it), as "rewrite ^/files(.*)$ $1 break;" does to GET /files.
                step("rewrite at " + d.where() + ": " + uri + " becomes an empty URI");
                flow.answer = new Answer(Kind.ERROR, 500, Optional.of(d), Optional.ofNullable(flow.conf.location),
                        List.of(), "rewrite at " + d.where() + " makes " + uri + " an empty URI (nginx: \"the"
                        + " rewritten URI has a zero length\")");
                flow.special = true;
                flow.stopped = true;
                return;
            }
            step("rewrite at " + d.where() + ": " + uri + " becomes " + target + (flag.isEmpty() ? "" : " (" + flag + ")"));
            uri = target;
            internal = true;
            switch (flag) {
                case "break" -> {
                    flow.changed = false;
                    flow.stopped = true;
                }
                case "last" -> {
                    flow.changed = true;
                    flow.stopped = true;
                }
                default -> flow.changed = true;
            }
        }

        Answer returned(Directive d, Flow flow) {
            List<String> a = d.args();
            Location here = flow.conf.location;
            if (a.isEmpty()) {
                return unknown(d, here, "return without a code at " + d.where());
            }
            String first = a.get(0);
            if (!first.matches("\\d{3}")) {
                flow.special = true;
                return new Answer(Kind.REDIRECT, 302, Optional.of(d), Optional.ofNullable(here), List.of(),
                        "return at " + d.where() + " redirects to " + expand(first).orElse(first));
            }
            int code = Integer.parseInt(first);
            String text = a.size() > 1 ? a.get(1) : null;
            step("return " + code + " at " + d.where());
            if (REDIRECT_CODES.contains(first)) {
                flow.special = true;
                return new Answer(Kind.REDIRECT, code, Optional.of(d), Optional.ofNullable(here), List.of(),
                        "return at " + d.where() + " redirects" + (text == null ? "" : " to "
                        + expand(text).orElse(text)));
            }
            flow.special = code >= 400 && text == null && code != 444;
            return new Answer(Kind.RETURN, code, Optional.of(d), Optional.ofNullable(here), List.of(),
                    "return " + code + " at " + d.where() + (code == 444 ? " (closes the connection)" : ""));
        }

        /** ngx_http_rewrite_if's conditions; empty when the request does not decide them. */
        Optional<Boolean> condition(Directive d) {
            List<String> a = new ArrayList<>(d.args());
            if (a.isEmpty()) {
                return Optional.empty();
            }
            // "(" and ")" are glued to the first and last word, or words of their own ($a = "") has ")" alone).
            if (a.get(0).equals("(")) {
                a.remove(0);
            } else if (a.get(0).startsWith("(")) {
                a.set(0, a.get(0).substring(1));
            }
            if (a.isEmpty()) {
                return Optional.empty();
            }
            int lastIndex = a.size() - 1;
            if (a.get(lastIndex).equals(")")) {
                a.remove(lastIndex);
            } else if (a.get(lastIndex).endsWith(")")) {
                a.set(lastIndex, a.get(lastIndex).substring(0, a.get(lastIndex).length() - 1));
            }
            // nginx names the tested variable by the whole word after "$" ("$arg_x$y" is the argument "x$y"):
            // only a plain "$name" is expanded here.
            if (a.get(0).startsWith("$") && !a.get(0).substring(1).matches("[A-Za-z0-9_]+")) {
                return Optional.empty();
            }
            if (a.size() == 1) {
                return expand(a.get(0)).map(v -> !v.isEmpty() && !v.equals("0"));
            }
            if (a.size() == 2) {
                String op = a.get(0);
                if (op.matches("!?-[fdex]")) {
                    filesAssumed = true;
                    return Optional.of(op.startsWith("!"));
                }
                return Optional.empty();
            }
            if (a.size() != 3) {
                return Optional.empty();
            }
            Optional<String> left = expand(a.get(0));
            String op = a.get(1);
            if (left.isEmpty()) {
                return Optional.empty();
            }
            switch (op) {
                case "=", "!=" -> {
                    Optional<String> right = expand(a.get(2));
                    return right.map(r -> r.equals(left.get()) == op.equals("="));
                }
                case "~", "~*", "!~", "!~*" -> {
                    Optional<NginxRegex> regex = regex(a.get(2), op.endsWith("*"));
                    if (regex.isEmpty()) {
                        return Optional.empty();
                    }
                    Optional<Captures> m = regex.get().find(left.get());
                    if (m.isPresent()) {
                        matched(m.get());
                    } else {
                        captures = Captures.NONE;
                    }
                    return Optional.of(m.isPresent() != op.startsWith("!"));
                }
                default -> {
                    return Optional.empty();
                }
            }
        }

        /** Whether an {@code if} block could change who answers. */
        boolean affects(Directive ifBlock) {
            for (Directive d : ifBlock.block()) {
                if (FLOW.contains(d.name()) || PASSES.contains(d.name()) || OTHER_CONTENT.contains(d.name())
                        || d.name().equals("error_page")) {
                    return true;
                }
            }
            return false;
        }

        /** The variables an undecided {@code if} might set are unknown after it. */
        void forgetSets(Directive ifBlock) {
            for (Directive d : ifBlock.block()) {
                if (d.name().equals("set") && !d.args().isEmpty() && d.args().get(0).startsWith("$")) {
                    vars.put(d.args().get(0).substring(1), null);
                }
            }
        }

        // ---- variables -----------------------------------------------------------------------------------------

        /** The text with its variables in place; empty when one of them is not known for this request. */
        Optional<String> expand(String template) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < template.length()) {
                char c = template.charAt(i);
                if (c != '$' || i + 1 >= template.length()) {
                    out.append(c);
                    i++;
                    continue;
                }
                char next = template.charAt(i + 1);
                if (next >= '0' && next <= '9') {
                    out.append(captures.group(next - '0'));
                    i += 2;
                    continue;
                }
                boolean braced = next == '{';
                int start = braced ? i + 2 : i + 1;
                int end = start;
                while (end < template.length() && isNameChar(template.charAt(end))) {
                    end++;
                }
                if (end == start) {
                    out.append(c);
                    i++;
                    continue;
                }
                String name = template.substring(start, end).toLowerCase(Locale.ROOT);
                Optional<String> value = variable(template.substring(start, end), name);
                if (value.isEmpty()) {
                    if (unknownVariable == null) {
                        unknownVariable = "$" + template.substring(start, end);
                    }
                    return Optional.empty();
                }
                out.append(value.get());
                i = braced && end < template.length() && template.charAt(end) == '}' ? end + 1 : end;
            }
            return Optional.of(out.toString());
        }

        Optional<String> variable(String written, String name) {
            if (vars.containsKey(written)) {
                return Optional.ofNullable(vars.get(written));
            }
            switch (name) {
                case "uri", "document_uri" -> {
                    return Optional.of(uri);
                }
                case "request_uri" -> {
                    return Optional.of(request.target());
                }
                case "args", "query_string" -> {
                    return Optional.of(args);
                }
                case "is_args" -> {
                    return Optional.of(args.isEmpty() ? "" : "?");
                }
                case "host" -> {
                    return Optional.of(request.host().isEmpty() ? server.serverNames().stream().findFirst().orElse("")
                            : request.host());
                }
                case "scheme" -> {
                    return Optional.of(request.scheme());
                }
                case "https" -> {
                    return Optional.of(request.scheme().equals("https") ? "on" : "");
                }
                case "request_method" -> {
                    return Optional.of(request.method());
                }
                case "fastcgi_script_name" -> {
                    return scriptName();
                }
                case "server_name" -> {
                    return Optional.of(server.serverNames().stream().findFirst().orElse(""));
                }
                case "server_port" -> {
                    return Optional.of(Integer.toString(request.port()));
                }
                case "server_protocol" -> {
                    return Optional.of("HTTP/1.1");
                }
                case "content_type", "content_length" -> {
                    return header(name.replace('_', '-'));
                }
                default -> {
                }
            }
            Directive map = maps.get(name);
            if (map != null) {
                return mapValue(name, map);
            }
            if (name.startsWith("arg_")) {
                String wanted = name.substring(4);
                for (String pair : args.split("&")) {
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    if (key.equalsIgnoreCase(wanted)) {
                        return Optional.of(eq < 0 ? "" : pair.substring(eq + 1));
                    }
                }
                return Optional.of("");
            }
            if (name.startsWith("http_")) {
                return header(name.substring(5).replace('_', '-'));
            }
            if (name.startsWith("cookie_")) {
                return header("cookie").map(v -> "");
            }
            return Optional.empty();
        }

        Optional<String> header(String name) {
            if (request.opaque().contains(name)) {
                return Optional.empty();
            }
            return Optional.of(request.headers().getOrDefault(name, ""));
        }

        // ---- where a pass with variables goes ------------------------------------------------------------------

        /**
         * The targets of {@code pass} this request reaches: for an address with variables ({@code set},
         * {@code map}), the one its value names, as nginx evaluates it; all of them when the request does not
         * decide the value ({@link #passUndecided} says why).
         */
        List<ProxyTarget> reached(Directive pass) {
            List<ProxyTarget> all = targets.getOrDefault(pass, List.of());
            String raw = pass.args().isEmpty() ? "" : pass.args().get(0);
            String head = raw.substring(0, PassTargets.headEnd(raw));
            if (head.indexOf('$') < 0) {
                return all;
            }
            unknownVariable = null;
            mapUndecided = null;
            Optional<String> text = expand(head);
            if (text.isEmpty()) {
                passUndecided = mapUndecided != null ? mapUndecided
                        : (unknownVariable == null ? "a variable" : unknownVariable) + " in \"" + raw + "\" at "
                        + pass.where() + " is not known for this request";
                step(pass.name() + " at " + pass.where() + ": " + passUndecided);
                return all;
            }
            Endpoints.Endpoint e;
            try {
                e = Endpoints.endpoint(text.get(), pass.name(), false);
            } catch (IllegalArgumentException invalid) {
                passUndecided = "\"" + raw + "\" at " + pass.where() + " becomes \"" + text.get() + "\" for this"
                        + " request, not an address";
                step(pass.name() + " at " + pass.where() + ": " + passUndecided);
                return all;
            }
            // Through an upstream block when one has the name (and no port is given), as nginx looks it up first.
            List<ProxyTarget> chosen = all.stream().filter(t -> !e.explicitPort()
                    && t.upstream().filter(u -> u.equalsIgnoreCase(e.host())).isPresent()).toList();
            if (chosen.isEmpty()) {
                chosen = all.stream().filter(t -> t.upstream().isEmpty() && t.host().equalsIgnoreCase(e.host())
                        && t.port() == e.port() && t.scheme().equals(e.scheme())).toList();
            }
            if (chosen.isEmpty()) {
                passUndecided = "\"" + raw + "\" at " + pass.where() + " becomes \"" + text.get() + "\" for this"
                        + " request, which is none of the targets found for it";
                step(pass.name() + " at " + pass.where() + ": " + passUndecided);
                return all;
            }
            step(pass.name() + " at " + pass.where() + " goes to " + text.get() + " for this request");
            // Map entries that name the same address are one target for this request.
            Map<String, ProxyTarget> distinct = new LinkedHashMap<>();
            chosen.forEach(t -> distinct.putIfAbsent(t.scheme() + "://" + t.host() + ":" + t.port() + " "
                    + t.upstream().orElse(""), t));
            return List.copyOf(distinct.values());
        }

        /** A map variable's value: evaluated once per request, as nginx caches it (unless "volatile"). */
        Optional<String> mapValue(String name, Directive map) {
            Mapped known = mapped.get(name);
            if (known == null) {
                if (mapDepth >= MAX_MAP_DEPTH) {
                    return Optional.empty();
                }
                mapDepth++;
                String before = mapUndecided;
                mapUndecided = null;
                try {
                    Optional<String> value = evaluate(map);
                    known = new Mapped(value, value.isPresent() ? null : mapUndecided);
                } finally {
                    mapDepth--;
                    mapUndecided = before;
                }
                boolean volatileMap = map.block().stream()
                        .anyMatch(d -> d.name().equals("volatile") && d.args().isEmpty());
                if (!volatileMap) {
                    mapped.put(name, known);
                }
            }
            if (known.value().isEmpty() && mapUndecided == null) {
                mapUndecided = known.why();
            }
            return known.value();
        }

        /**
         * ngx_http_map_find: the source value against the exact keys (case-insensitively), then the regexes in
         * order (not for an empty value), else the default (else ""). The value found may hold variables, and a
         * regex's captures.
         */
        Optional<String> evaluate(Directive map) {
            String what = "the map at " + map.where() + " for " + map.args().get(1);
            unknownVariable = null;
            Optional<String> source = expand(map.args().get(0));
            if (source.isEmpty()) {
                if (mapUndecided == null) {
                    mapUndecided = what + " reads \"" + map.args().get(0) + "\", and "
                            + (unknownVariable == null ? "its value" : unknownVariable)
                            + " is not known for this request";
                }
                return Optional.empty();
            }
            boolean hostnames = map.block().stream().anyMatch(d -> d.name().equals("hostnames") && d.args().isEmpty());
            String value = source.get();
            if (hostnames && value.endsWith(".")) {
                value = value.substring(0, value.length() - 1);
            }
            String lower = value.toLowerCase(Locale.ROOT);
            Directive fallback = null;
            List<HostNames.Named<Directive>> names = new ArrayList<>();
            List<Directive> regexEntries = new ArrayList<>();
            for (Directive entry : map.block()) {
                String key = entry.name();
                if (entry.args().size() != 1) {
                    continue; // hostnames, volatile; anything else check reports
                }
                if (key.equals("default")) {
                    fallback = entry;
                    continue;
                }
                if (key.startsWith("~")) {
                    regexEntries.add(entry);
                    continue;
                }
                if (key.startsWith("\\")) {
                    key = key.substring(1);
                }
                if (hostnames) {
                    names.add(new HostNames.Named<>(key, entry));
                } else if (key.toLowerCase(Locale.ROOT).equals(lower)) {
                    return mapEntry(entry, what);
                }
            }
            Optional<Directive> named = HostNames.find(lower, names);
            if (named.isPresent()) {
                return mapEntry(named.get(), what);
            }
            if (!value.isEmpty()) {
                for (Directive entry : regexEntries) {
                    boolean caseless = entry.name().startsWith("~*");
                    Optional<NginxRegex> regex = regex(entry.name().substring(caseless ? 2 : 1), caseless);
                    if (regex.isEmpty()) {
                        mapUndecided = "the regex \"" + entry.name() + "\" of " + what + " (line " + entry.line()
                                + ") uses PCRE syntax ProxyStage does not read";
                        return Optional.empty();
                    }
                    Optional<Captures> m = regex.get().find(value);
                    if (m.isPresent()) {
                        // A regex without groups leaves $1.. as they were (ngx_http_regex_exec); named ones are set.
                        if (m.get().numbered().length > 1) {
                            matched(m.get());
                        } else {
                            vars.putAll(m.get().named());
                        }
                        return mapEntry(entry, what);
                    }
                }
            }
            return fallback == null ? Optional.of("") : mapEntry(fallback, what);
        }

        /** The value of the map entry that matched, its variables in place. */
        Optional<String> mapEntry(Directive entry, String what) {
            String text = entry.args().get(0);
            if (text.indexOf('$') < 0) {
                return Optional.of(text);
            }
            unknownVariable = null;
            Optional<String> value = expand(text);
            if (value.isEmpty() && mapUndecided == null) {
                mapUndecided = what + " gives \"" + text + "\" (line " + entry.line() + "), and "
                        + (unknownVariable == null ? "its value" : unknownVariable) + " is not known for this request";
            }
            return value;
        }

        // ---- inheritance ---------------------------------------------------------------------------------------

        /** The first {@code name} directive from {@code block} outwards to http. */
        Optional<Directive> inherited(Directive block, String name) {
            for (Directive b = block; b != null; b = parents.get(b)) {
                List<Directive> own = b.children(name);
                if (!own.isEmpty()) {
                    return Optional.of(own.get(own.size() - 1));
                }
            }
            return Optional.empty();
        }

        /** Every {@code name} directive of the innermost block that has one (nginx inherits the list whole). */
        List<Directive> inheritedAll(Directive block, String name) {
            for (Directive b = block; b != null; b = parents.get(b)) {
                List<Directive> own = b.children(name);
                if (!own.isEmpty()) {
                    return own;
                }
            }
            return List.of();
        }

        /** allow/deny rules in order, from the innermost block that has any. */
        List<Directive> inheritedRules(Directive block) {
            for (Directive b = block; b != null; b = parents.get(b)) {
                List<Directive> own = b.block().stream()
                        .filter(d -> d.name().equals("allow") || d.name().equals("deny")).toList();
                if (!own.isEmpty()) {
                    return own;
                }
            }
            return List.of();
        }

        void step(String text) {
            steps.add(text);
        }
    }

    /** Whether {@code limit_except}'s list lets {@code method} through: GET lets HEAD through too. */
    public static boolean allows(Directive limitExcept, String method) {
        List<String> methods = limitExcept.args().stream().map(a -> a.toUpperCase(Locale.ROOT)).toList();
        return methods.contains(method) || method.equals("HEAD") && methods.contains("GET");
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /**
     * The URI nginx matches locations against: percent-decoded, "//" merged, "." and ".." resolved; empty when
     * nginx answers 400 (a bad escape, a ".." above the root, no leading "/").
     */
    static Optional<String> normalize(String path) {
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
                        || Character.digit(path.charAt(i + 2), 16) < 0) {
                    return Optional.empty();
                }
                bytes.write(Character.digit(path.charAt(i + 1), 16) * 16 + Character.digit(path.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        String decoded = bytes.toString(StandardCharsets.UTF_8);
        List<String> segments = new ArrayList<>();
        String[] parts = decoded.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            boolean lastPart = i == parts.length - 1;
            if (part.isEmpty() && !lastPart) {
                continue; // merge_slashes
            }
            if (part.equals(".")) {
                if (lastPart) {
                    segments.add("");
                }
                continue;
            }
            if (part.equals("..")) {
                if (segments.isEmpty()) {
                    return Optional.empty();
                }
                segments.remove(segments.size() - 1);
                if (lastPart) {
                    segments.add("");
                }
                continue;
            }
            segments.add(part);
        }
        return Optional.of("/" + String.join("/", segments));
    }
}
