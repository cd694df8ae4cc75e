package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Location.Modifier;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Derives the view of a parsed directive tree: servers with their listens and locations, and the ports they expose.
 * Upstreams ({@link Upstreams}), resolvers ({@link Resolvers}) and where passes go ({@link PassTargets}) are their
 * own classes; this one walks http and stream blocks and hands each its part.
 */
final class ViewBuilder {

    final List<ServerBlock> servers = new ArrayList<>();
    final List<Upstream> upstreams = new ArrayList<>();
    final List<Resolver> resolvers;
    final List<ProxyTarget> targets;
    final Set<Integer> ports = new TreeSet<>();
    final List<Listen> listens = new ArrayList<>();

    private final ParseRequest request;
    private final Resolvers resolverIndex = new Resolvers();
    private final PassTargets passes = new PassTargets(resolverIndex);

    ViewBuilder(ParseRequest request) {
        this.request = request;
        this.resolvers = resolverIndex.all;
        this.targets = passes.all;
    }

    void build(List<Directive> top) {
        resolverIndex.collect(top);
        for (Directive d : top) {
            if (d.hasBlock() && (d.name().equals("http") || d.name().equals("stream"))) {
                context(d, d.name().equals("stream"));
            }
        }
    }

    private void context(Directive block, boolean stream) {
        BlockContext ctx = new BlockContext(stream);
        ctx.certificates = fileRefs(block, "ssl_certificate");
        ctx.certificateKeys = fileRefs(block, "ssl_certificate_key");
        for (Directive d : block.block()) {
            switch (d.name()) {
                case "upstream" -> {
                    if (d.hasBlock()) {
                        Upstream u = Upstreams.of(d, stream);
                        upstreams.add(u);
                        ctx.upstreams.putIfAbsent(u.name().toLowerCase(Locale.ROOT), u);
                    }
                }
                case "map", "geo", "split_clients" -> Upstreams.defineVariable(d, ctx);
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

    private void server(Directive server, Directive http, BlockContext ctx) {
        List<Listen> listens = new ArrayList<>();
        List<Directive> listenDirectives = server.children("listen");
        for (Directive d : listenDirectives) {
            Listens.of(d).ifPresent(listens::add);
        }
        if (listenDirectives.isEmpty() && !ctx.stream) {
            listens.add(new Listen("*", 80, false, false, server.file(), server.line()));
        }
        for (Listen l : listens) {
            ports.add(l.port());
        }
        this.listens.addAll(listens);
        List<Directive> chain = new ArrayList<>(List.of(http, server));
        passes.walk(server, chain, ctx);
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
}
