package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Location.Modifier;
import dev.proxystage.internal.nginx.ProxyTarget.Via;
import dev.proxystage.internal.nginx.Upstream.UpstreamServer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Derives servers, locations, upstreams, resolvers and proxy targets from a parsed directive tree. */
final class ViewBuilder {

    static final Set<String> PASSES = Set.of("proxy_pass", "grpc_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass");

    /** Request variables that begin the URI part of a target, so they end its host part. */
    private static final Set<String> URI_VARIABLES = Set.of("request_uri", "uri", "document_uri", "is_args",
            "args", "query_string");

    private static final int MAX_COMBINATIONS = 64;
    private static final int MAX_DEPTH = 8;

    final List<ServerBlock> servers = new ArrayList<>();
    final List<Upstream> upstreams = new ArrayList<>();
    final List<Resolver> resolvers = new ArrayList<>();
    final List<ProxyTarget> targets = new ArrayList<>();
    final Set<Integer> ports = new TreeSet<>();

    private final ParseRequest request;
    private final Map<Directive, Resolver> resolverOf = new IdentityHashMap<>();
    private final Map<Directive, Optional<Resolver>> resolverIn = new IdentityHashMap<>();

    /** What one http or stream block defines for everything inside it. */
    private static final class Context {
        final boolean stream;
        final Map<String, Upstream> upstreams = new HashMap<>();
        final Map<String, Map<String, Directive>> variables = new HashMap<>();
        List<FileRef> certificates = List.of();
        List<FileRef> certificateKeys = List.of();

        Context(boolean stream) {
            this.stream = stream;
        }
    }

    private record Value(String text, Directive origin) {
    }

    private record Span(int start, int end, Directive origin) {
    }

    /** One way a target template expands: the text, which directive wrote which part, what stayed unresolved. */
    private static final class Expansion {
        final StringBuilder text = new StringBuilder();
        final List<Span> spans = new ArrayList<>();
        final List<String> unresolved = new ArrayList<>();

        Expansion copy() {
            Expansion c = new Expansion();
            c.text.append(text);
            c.spans.addAll(spans);
            c.unresolved.addAll(unresolved);
            return c;
        }

        Directive originOf(int start, int end, Directive fallback) {
            for (Span s : spans) {
                if (s.start < end && s.end > start) {
                    return s.origin;
                }
            }
            return fallback;
        }
    }

    private record Endpoint(String scheme, String host, int port, boolean explicitPort, int hostStart, int hostEnd) {
    }

    ViewBuilder(ParseRequest request) {
        this.request = request;
    }

    void build(List<Directive> top) {
        collectResolvers(top);
        for (Directive d : top) {
            if (d.hasBlock() && (d.name().equals("http") || d.name().equals("stream"))) {
                context(d, d.name().equals("stream"));
            }
        }
    }

    private void collectResolvers(List<Directive> root) {
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        Deque<Iterator<Directive>> open = new ArrayDeque<>();
        open.push(root.iterator());
        while (!open.isEmpty()) {
            if (!open.peek().hasNext()) {
                open.pop();
                continue;
            }
            Directive d = open.peek().next();
            if (d.name().equals("resolver") && !d.hasBlock()) {
                List<String> addresses = new ArrayList<>();
                for (String arg : d.args()) {
                    if (arg.indexOf('=') < 0) {
                        addresses.add(arg);
                    }
                }
                Resolver r = new Resolver(addresses, d.file(), d.line());
                resolvers.add(r);
                resolverOf.put(d, r);
            } else if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                open.push(d.block().iterator());
            }
        }
    }

    private void context(Directive block, boolean stream) {
        Context ctx = new Context(stream);
        ctx.certificates = fileRefs(block, "ssl_certificate");
        ctx.certificateKeys = fileRefs(block, "ssl_certificate_key");
        for (Directive d : block.block()) {
            switch (d.name()) {
                case "upstream" -> {
                    if (d.hasBlock()) {
                        Upstream u = upstream(d, stream);
                        upstreams.add(u);
                        ctx.upstreams.putIfAbsent(u.name().toLowerCase(Locale.ROOT), u);
                    }
                }
                case "map", "geo", "split_clients" -> defineVariable(d, ctx);
                default -> {
                }
            }
        }
        for (Directive d : block.block()) {
            if (d.name().equals("server") && d.hasBlock()) {
                server(d, block, ctx);
            }
        }
    }

    // ---- servers, listens, locations ------------------------------------------------------------------------

    private void server(Directive server, Directive http, Context ctx) {
        List<Listen> listens = new ArrayList<>();
        List<Directive> listenDirectives = server.children("listen");
        for (Directive d : listenDirectives) {
            listen(d).ifPresent(listens::add);
        }
        if (listenDirectives.isEmpty() && !ctx.stream) {
            listens.add(new Listen("*", 80, false, false, server.file(), server.line()));
        }
        for (Listen l : listens) {
            ports.add(l.port());
        }
        List<Directive> chain = new ArrayList<>(List.of(http, server));
        walk(server, chain, ctx);
        if (ctx.stream) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (Directive d : server.children("server_name")) {
            names.addAll(d.args());
        }
        List<FileRef> certs = fileRefs(server, "ssl_certificate");
        List<FileRef> keys = fileRefs(server, "ssl_certificate_key");
        List<Location> locations = new ArrayList<>();
        for (Directive d : server.children("location")) {
            locations.add(location(d));
        }
        servers.add(new ServerBlock(server.file(), server.line(), listens, names,
                certs.isEmpty() ? ctx.certificates : certs, keys.isEmpty() ? ctx.certificateKeys : keys, locations,
                server));
    }

    private static Optional<Listen> listen(Directive d) {
        if (d.args().isEmpty()) {
            throw new NginxConfigException(d.file(), d.line(), "invalid number of arguments in \"listen\" directive");
        }
        String a = d.args().get(0);
        if (a.startsWith("unix:")) {
            return Optional.empty(); // a socket inside the container, no port to expose
        }
        String address;
        String port;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0 || close + 1 < a.length() && a.charAt(close + 1) != ':') {
                throw new NginxConfigException(d.file(), d.line(), "invalid IPv6 address in \"" + a
                        + "\" of the \"listen\" directive");
            }
            address = a.substring(0, close + 1);
            port = close + 1 < a.length() ? a.substring(close + 2) : "80";
        } else if (isDigits(a)) {
            address = "*";
            port = a;
        } else if (a.lastIndexOf(':') >= 0) {
            address = a.substring(0, a.lastIndexOf(':'));
            port = a.substring(a.lastIndexOf(':') + 1);
        } else {
            address = a;
            port = "80";
        }
        int number = port(port);
        if (number == 0) {
            throw new NginxConfigException(d.file(), d.line(), "invalid port in \"" + a
                    + "\" of the \"listen\" directive");
        }
        boolean ssl = false;
        boolean defaultServer = false;
        for (String p : d.args().subList(1, d.args().size())) {
            ssl |= p.equals("ssl");
            defaultServer |= p.equals("default_server") || p.equals("default");
        }
        return Optional.of(new Listen(address, number, ssl, defaultServer, d.file(), d.line()));
    }

    private List<FileRef> fileRefs(Directive block, String name) {
        List<FileRef> refs = new ArrayList<>();
        for (Directive d : block.children(name)) {
            if (!d.args().isEmpty()) {
                String value = d.args().get(0);
                String path = value.indexOf('$') >= 0 || value.startsWith("data:") ? value
                        : request.containerPath(value);
                refs.add(new FileRef(path, d.file(), d.line()));
            }
        }
        return refs;
    }

    /** The location and its nested ones, built bottom-up with an explicit stack: nginx accepts any nesting depth. */
    private static Location location(Directive root) {
        Map<Directive, Location> built = new IdentityHashMap<>();
        Map<Directive, Location> heads = new IdentityHashMap<>();
        Deque<Directive> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Directive d = pending.peek();
            List<Directive> children = d.children("location");
            if (!heads.containsKey(d)) {
                heads.put(d, location(d, List.of())); // checks the head before the nested ones, as nginx reads it
                for (int i = children.size() - 1; i >= 0; i--) {
                    pending.push(children.get(i));
                }
                continue;
            }
            pending.pop();
            List<Location> nested = new ArrayList<>();
            for (Directive child : children) {
                nested.add(built.remove(child));
            }
            Location head = heads.remove(d);
            built.put(d, new Location(head.modifier(), head.pattern(), d.file(), d.line(), nested, d));
        }
        return built.get(root);
    }

    private static Location location(Directive d, List<Location> nested) {
        List<String> a = d.args();
        Modifier modifier;
        String pattern;
        if (a.size() == 2) {
            modifier = switch (a.get(0)) {
                case "=" -> Modifier.EXACT;
                case "^~" -> Modifier.PREFERRED_PREFIX;
                case "~" -> Modifier.REGEX;
                case "~*" -> Modifier.REGEX_CASE_INSENSITIVE;
                default -> throw new NginxConfigException(d.file(), d.line(), "invalid location modifier \""
                        + a.get(0) + "\"");
            };
            pattern = a.get(1);
        } else if (a.size() == 1) {
            // nginx also accepts the modifier glued to the pattern: "=/x", "~^/x", "~*\.php$", "@name".
            String name = a.get(0);
            if (name.startsWith("=")) {
                modifier = Modifier.EXACT;
                pattern = name.substring(1);
            } else if (name.startsWith("~*")) {
                modifier = Modifier.REGEX_CASE_INSENSITIVE;
                pattern = name.substring(2);
            } else if (name.startsWith("~")) {
                modifier = Modifier.REGEX;
                pattern = name.substring(1);
            } else if (name.startsWith("@")) {
                modifier = Modifier.NAMED;
                pattern = name.substring(1);
            } else {
                modifier = Modifier.PREFIX;
                pattern = name;
            }
        } else {
            throw new NginxConfigException(d.file(), d.line(), "invalid number of arguments in \"location\" directive");
        }
        return new Location(modifier, pattern, d.file(), d.line(), nested, d);
    }

    // ---- upstreams and variables ----------------------------------------------------------------------------

    private static Upstream upstream(Directive d, boolean stream) {
        if (d.args().size() != 1) {
            throw new NginxConfigException(d.file(), d.line(), "invalid number of arguments in \"upstream\" directive");
        }
        List<UpstreamServer> servers = new ArrayList<>();
        for (Directive s : d.children("server")) {
            if (s.args().isEmpty()) {
                throw new NginxConfigException(s.file(), s.line(), "invalid number of arguments in \"server\" "
                        + "directive");
            }
            String address = s.args().get(0);
            if (address.startsWith("unix:")) {
                servers.add(new UpstreamServer(address, 0, s));
                continue;
            }
            Endpoint e = hostPort(address, 0, stream ? 0 : 80);
            if (e == null) {
                throw new NginxConfigException(s.file(), s.line(), "invalid address \"" + address + "\" in upstream \""
                        + d.args().get(0) + "\"");
            }
            servers.add(new UpstreamServer(e.host, e.port, s));
        }
        if (servers.isEmpty()) {
            throw new NginxConfigException(d.file(), d.line(), "no servers are inside upstream \""
                    + d.args().get(0) + "\"");
        }
        return new Upstream(d.args().get(0), servers, d.file(), d.line());
    }

    /** map, geo and split_clients define a variable whose possible values are their entries' values. */
    private static void defineVariable(Directive d, Context ctx) {
        if (!d.hasBlock() || d.args().isEmpty()) {
            return;
        }
        String variable = d.args().get(d.args().size() - 1);
        if (!variable.startsWith("$")) {
            return;
        }
        Set<String> keywords = switch (d.name()) {
            case "map" -> Set.of("hostnames", "volatile");
            case "geo" -> Set.of("ranges", "delete", "proxy", "proxy_recursive");
            default -> Set.of();
        };
        Map<String, Directive> values = ctx.variables.computeIfAbsent(variable.substring(1), k -> new LinkedHashMap<>());
        for (Directive entry : d.block()) {
            if (!keywords.contains(entry.name()) && entry.args().size() == 1 && !entry.args().get(0).isEmpty()) {
                values.putIfAbsent(entry.args().get(0), entry);
            }
        }
    }

    // ---- proxy targets --------------------------------------------------------------------------------------

    private void walk(Directive block, List<Directive> chain, Context ctx) {
        // An explicit stack, not recursion: nginx accepts any nesting depth. Each frame above the first is a
        // block on the chain.
        Deque<Iterator<Directive>> open = new ArrayDeque<>();
        open.push(block.block().iterator());
        int base = chain.size();
        while (!open.isEmpty()) {
            if (!open.peek().hasNext()) {
                open.pop();
                if (chain.size() > base) {
                    chain.remove(chain.size() - 1);
                }
                continue;
            }
            Directive d = open.peek().next();
            if (PASSES.contains(d.name()) && !d.hasBlock()) {
                targets.addAll(passTargets(d, chain, ctx));
            } else if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                chain.add(d);
                open.push(d.block().iterator());
            }
        }
    }

    private Optional<Resolver> resolverInScope(List<Directive> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            // Cached per block: http holds every server, and every pass would scan it again.
            Optional<Resolver> own = resolverIn.computeIfAbsent(chain.get(i), block -> {
                List<Directive> found = block.children("resolver");
                return found.isEmpty() ? Optional.empty()
                        : Optional.ofNullable(resolverOf.get(found.get(found.size() - 1)));
            });
            if (own.isPresent()) {
                return own;
            }
        }
        return Optional.empty();
    }

    private List<ProxyTarget> passTargets(Directive pass, List<Directive> chain, Context ctx) {
        if (pass.args().size() != 1) {
            throw new NginxConfigException(pass.file(), pass.line(), "invalid number of arguments in \""
                    + pass.name() + "\" directive");
        }
        String raw = pass.args().get(0);
        Optional<Resolver> resolver = resolverInScope(chain);
        String head = raw.substring(0, headEnd(raw));
        List<ProxyTarget> out = new ArrayList<>();
        if (head.indexOf('$') < 0) {
            Endpoint e;
            try {
                e = endpoint(head, pass.name(), ctx.stream);
            } catch (IllegalArgumentException invalid) {
                throw new NginxConfigException(pass.file(), pass.line(), invalid.getMessage());
            }
            Upstream u = ctx.upstreams.get(e.host);
            if (u != null && e.explicitPort) {
                throw new NginxConfigException(pass.file(), pass.line(), "upstream \"" + u.name() + "\" may not "
                        + "have port " + e.port + " (it is defined at " + u.file() + ":" + u.line() + ")");
            }
            addTargets(out, pass, e, Via.LITERAL, pass, ctx, resolver);
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (Expansion x : expand(head, chain, ctx, 0)) {
            String text = x.text.toString();
            if (!x.unresolved.isEmpty()) {
                if (seen.add("?" + text)) {
                    out.add(new ProxyTarget(pass, Via.UNRESOLVED, "", text, 0, Optional.empty(), x.unresolved, pass,
                            resolver));
                }
                continue;
            }
            Endpoint e;
            try {
                e = endpoint(text, pass.name(), ctx.stream);
            } catch (IllegalArgumentException invalid) {
                if (seen.add("?" + text)) {
                    out.add(new ProxyTarget(pass, Via.UNRESOLVED, "", text, 0, Optional.empty(), List.of(), pass,
                            resolver));
                }
                continue;
            }
            Directive origin = x.originOf(e.hostStart, e.hostEnd, pass);
            if (seen.add(e.scheme + "://" + e.host + ":" + e.port + "@" + origin.name() + " " + origin.where())) {
                addTargets(out, pass, e, Via.VARIABLES, origin, ctx, resolver);
            }
        }
        return out;
    }

    private static void addTargets(List<ProxyTarget> out, Directive pass, Endpoint e, Via via, Directive origin,
                                   Context ctx, Optional<Resolver> resolver) {
        Upstream u = e.explicitPort ? null : ctx.upstreams.get(e.host);
        if (u == null) {
            out.add(new ProxyTarget(pass, via, e.scheme, e.host, e.port, Optional.empty(), List.of(), origin,
                    resolver));
            return;
        }
        Via through = via == Via.LITERAL ? Via.UPSTREAM : via;
        for (UpstreamServer s : u.servers()) {
            out.add(new ProxyTarget(pass, through, e.scheme, s.host(), s.port(), Optional.of(u.name()), List.of(),
                    s.directive(), resolver));
        }
    }

    /** The end of the scheme and host:port part of a target; variables after it (the URI) do not matter. */
    private static int headEnd(String raw) {
        int scheme = raw.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        if (raw.startsWith("unix:", start)) {
            return raw.length();
        }
        for (int i = start; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '/' || c == '?') {
                return i;
            }
            if (c == '$') {
                int nameStart = i + 1 < raw.length() && raw.charAt(i + 1) == '{' ? i + 2 : i + 1;
                int nameEnd = nameStart;
                while (nameEnd < raw.length() && isNameChar(raw.charAt(nameEnd))) {
                    nameEnd++;
                }
                if (URI_VARIABLES.contains(raw.substring(nameStart, nameEnd))) {
                    return i;
                }
            }
        }
        return raw.length();
    }

    private List<Expansion> expand(String template, List<Directive> chain, Context ctx, int depth) {
        List<Expansion> current = new ArrayList<>(List.of(new Expansion()));
        int i = 0;
        while (i < template.length()) {
            int dollar = template.indexOf('$', i);
            int literalEnd = dollar < 0 ? template.length() : dollar;
            if (literalEnd > i) {
                String literal = template.substring(i, literalEnd);
                for (Expansion x : current) {
                    x.text.append(literal);
                }
            }
            if (dollar < 0) {
                break;
            }
            boolean braced = dollar + 1 < template.length() && template.charAt(dollar + 1) == '{';
            int nameStart = braced ? dollar + 2 : dollar + 1;
            int nameEnd = nameStart;
            while (nameEnd < template.length() && isNameChar(template.charAt(nameEnd))) {
                nameEnd++;
            }
            int end = braced && nameEnd < template.length() && template.charAt(nameEnd) == '}' ? nameEnd + 1 : nameEnd;
            String name = template.substring(nameStart, nameEnd);
            i = end;
            if (name.isEmpty()) {
                for (Expansion x : current) {
                    x.text.append('$');
                }
                i = dollar + 1;
                continue;
            }
            List<Value> values = depth < MAX_DEPTH ? lookup(name, chain, ctx) : List.of();
            if (values.isEmpty()) {
                String written = template.substring(dollar, end);
                for (Expansion x : current) {
                    x.text.append(written);
                    x.unresolved.add(name);
                }
                continue;
            }
            List<Expansion> next = new ArrayList<>();
            for (Expansion x : current) {
                for (Value v : values) {
                    List<Expansion> parts = v.text.indexOf('$') >= 0 ? expand(v.text, chain, ctx, depth + 1)
                            : List.of(literal(v.text));
                    for (Expansion part : parts) {
                        if (next.size() < MAX_COMBINATIONS) {
                            next.add(append(x, part, v.origin));
                        }
                    }
                }
            }
            current = next;
        }
        return current;
    }

    private static Expansion literal(String text) {
        Expansion x = new Expansion();
        x.text.append(text);
        return x;
    }

    /** {@code base} followed by {@code part}; the parts of {@code part} nobody else wrote belong to {@code origin}. */
    private static Expansion append(Expansion base, Expansion part, Directive origin) {
        Expansion x = base.copy();
        int offset = x.text.length();
        int covered = 0;
        for (Span s : part.spans) {
            if (s.start > covered) {
                x.spans.add(new Span(offset + covered, offset + s.start, origin));
            }
            x.spans.add(new Span(offset + s.start, offset + s.end, s.origin));
            covered = s.end;
        }
        if (covered < part.text.length()) {
            x.spans.add(new Span(offset + covered, offset + part.text.length(), origin));
        }
        x.text.append(part.text);
        x.unresolved.addAll(part.unresolved);
        return x;
    }

    /** A variable's possible values: the last {@code set} in the innermost scope that has one, else map/geo. */
    private static List<Value> lookup(String name, List<Directive> chain, Context ctx) {
        String variable = "$" + name;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Directive scope = chain.get(i);
            if (scope.name().equals("http") || scope.name().equals("stream")) {
                break;
            }
            Directive last = null;
            for (Directive d : scope.block()) {
                if (d.name().equals("set") && d.args().size() == 2 && d.args().get(0).equals(variable)) {
                    last = d;
                }
            }
            if (last != null) {
                return List.of(new Value(last.args().get(1), last));
            }
        }
        Map<String, Directive> mapped = ctx.variables.get(name);
        if (mapped == null) {
            return List.of();
        }
        List<Value> values = new ArrayList<>();
        mapped.forEach((text, origin) -> values.add(new Value(text, origin)));
        return values;
    }

    // ---- addresses ------------------------------------------------------------------------------------------

    /** Parses a pass target; the message of the exception is nginx-like and names the target. */
    private static Endpoint endpoint(String text, String directive, boolean stream) {
        int sep = text.indexOf("://");
        String scheme = sep < 0 ? "" : text.substring(0, sep).toLowerCase(Locale.ROOT);
        Set<String> allowed;
        String fallback;
        if (directive.equals("proxy_pass") && !stream) {
            allowed = Set.of("http", "https");
            fallback = null;
        } else if (directive.equals("grpc_pass")) {
            allowed = Set.of("grpc", "grpcs");
            fallback = "grpc";
        } else if (directive.equals("uwsgi_pass")) {
            allowed = Set.of("uwsgi", "suwsgi");
            fallback = "uwsgi";
        } else {
            allowed = Set.of();
            fallback = stream ? "tcp" : directive.substring(0, directive.indexOf('_'));
        }
        if (sep < 0 ? fallback == null : !allowed.contains(scheme)) {
            throw new IllegalArgumentException("invalid URL prefix in \"" + text + "\" of the \"" + directive
                    + "\" directive" + (allowed.isEmpty() ? "; it takes an address without scheme"
                    : "; use " + String.join(":// or ", new TreeSet<>(allowed)) + "://"));
        }
        if (sep < 0) {
            scheme = fallback;
        }
        int start = sep < 0 ? 0 : sep + 3;
        int defaultPort = switch (scheme) {
            case "http", "grpc" -> 80;
            case "https", "grpcs" -> 443;
            default -> 0;
        };
        if (text.startsWith("unix:", start)) {
            int colon = text.indexOf(':', start + 5);
            int end = colon < 0 || !scheme.startsWith("http") ? text.length() : colon;
            return new Endpoint(scheme, text.substring(start, end), 0, false, start, end);
        }
        int end = start;
        while (end < text.length() && text.charAt(end) != '/' && text.charAt(end) != '?') {
            end++;
        }
        Endpoint e = hostPort(text.substring(start, end), start, defaultPort);
        if (e == null) {
            throw new IllegalArgumentException("invalid host or port in \"" + text + "\" of the \"" + directive
                    + "\" directive");
        }
        return new Endpoint(scheme, e.host, e.port, e.explicitPort, e.hostStart, e.hostEnd);
    }

    /** host, host:port, [v6] or [v6]:port; null when malformed. Offsets are shifted by {@code offset}. */
    private static Endpoint hostPort(String authority, int offset, int defaultPort) {
        String host;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = authority.substring(0, close + 1);
            if (close + 1 < authority.length()) {
                if (authority.charAt(close + 1) != ':') {
                    return null;
                }
                port = authority.substring(close + 2);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty() || host.indexOf('$') >= 0) {
            return null;
        }
        int number = port == null ? defaultPort : port(port);
        if (port != null && number == 0) {
            return null;
        }
        return new Endpoint("", host.toLowerCase(Locale.ROOT), number, port != null, offset, offset + host.length());
    }

    /** 1..65535, or 0 when not a port. */
    private static int port(String text) {
        if (!isDigits(text) || text.length() > 5) {
            return 0;
        }
        int n = Integer.parseInt(text);
        return n >= 1 && n <= 65535 ? n : 0;
    }

    private static boolean isDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
