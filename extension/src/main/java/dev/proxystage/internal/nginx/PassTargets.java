package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.ProxyTarget.Via;
import dev.proxystage.internal.nginx.Upstream.UpstreamServer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where each pass directive sends requests: literal targets, upstream names, and {@code set}/{@code map} variables
 * expanded to every value they may take, remembering which directive wrote the host and which the port.
 */
final class PassTargets {

    static final Set<String> PASSES = Set.of("proxy_pass", "grpc_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass");

    /** Request variables that begin the URI part of a target, so they end its host part. */
    private static final Set<String> URI_VARIABLES = Set.of("request_uri", "uri", "document_uri", "is_args",
            "args", "query_string");

    private static final int MAX_COMBINATIONS = 64;
    private static final int MAX_DEPTH = 8;

    final List<ProxyTarget> all = new ArrayList<>();

    private final Resolvers resolvers;

    PassTargets(Resolvers resolvers) {
        this.resolvers = resolvers;
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

    /** Adds the targets of every pass under {@code block}; {@code chain} is the enclosing blocks, outermost first. */
    void walk(Directive block, List<Directive> chain, BlockContext ctx) {
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
                all.addAll(passTargets(d, chain, ctx));
            } else if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                chain.add(d);
                open.push(d.block().iterator());
            }
        }
    }

    private List<ProxyTarget> passTargets(Directive pass, List<Directive> chain, BlockContext ctx) {
        if (pass.args().size() != 1) {
            throw new NginxConfigException(pass.file(), pass.line(), "invalid number of arguments in \""
                    + pass.name() + "\" directive");
        }
        String raw = pass.args().get(0);
        Optional<Resolver> resolver = resolvers.inScope(chain);
        String head = raw.substring(0, headEnd(raw));
        List<ProxyTarget> out = new ArrayList<>();
        if (head.indexOf('$') < 0) {
            Endpoints.Endpoint e;
            try {
                e = Endpoints.endpoint(head, pass.name(), ctx.stream);
            } catch (IllegalArgumentException invalid) {
                throw new NginxConfigException(pass.file(), pass.line(), invalid.getMessage());
            }
            Upstream u = ctx.upstreams.get(e.host());
            if (u != null && e.explicitPort()) {
                throw new NginxConfigException(pass.file(), pass.line(), "upstream \"" + u.name() + "\" may not "
                        + "have port " + e.port() + " (it is defined at " + u.file() + ":" + u.line() + ")");
            }
            addTargets(out, pass, e, Via.LITERAL, pass, pass, ctx, resolver);
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (Expansion x : expand(head, chain, ctx, 0)) {
            String text = x.text.toString();
            if (!x.unresolved.isEmpty()) {
                if (seen.add("?" + text)) {
                    out.add(new ProxyTarget(pass, Via.UNRESOLVED, "", text, 0, Optional.empty(), x.unresolved, pass,
                            resolver, pass));
                }
                continue;
            }
            Endpoints.Endpoint e;
            try {
                e = Endpoints.endpoint(text, pass.name(), ctx.stream);
            } catch (IllegalArgumentException invalid) {
                if (seen.add("?" + text)) {
                    out.add(new ProxyTarget(pass, Via.UNRESOLVED, "", text, 0, Optional.empty(), List.of(), pass,
                            resolver, pass));
                }
                continue;
            }
            Directive origin = x.originOf(e.hostStart(), e.hostEnd(), pass);
            Directive portOrigin = e.explicitPort() ? x.originOf(e.portStart(), e.portEnd(), pass) : pass;
            if (seen.add(e.scheme() + "://" + e.host() + ":" + e.port() + "@" + origin.name() + " " + origin.where()
                    + " " + portOrigin.where())) {
                addTargets(out, pass, e, Via.VARIABLES, origin, portOrigin, ctx, resolver);
            }
        }
        return out;
    }

    private static void addTargets(List<ProxyTarget> out, Directive pass, Endpoints.Endpoint e, Via via,
                                   Directive origin, Directive portOrigin, BlockContext ctx,
                                   Optional<Resolver> resolver) {
        Upstream u = e.explicitPort() ? null : ctx.upstreams.get(e.host());
        if (u == null) {
            out.add(new ProxyTarget(pass, via, e.scheme(), e.host(), e.port(), Optional.empty(), List.of(), origin,
                    resolver, portOrigin));
            return;
        }
        Via through = via == Via.LITERAL ? Via.UPSTREAM : via;
        for (UpstreamServer s : u.servers()) {
            out.add(new ProxyTarget(pass, through, e.scheme(), s.host(), s.port(), Optional.of(u.name()), List.of(),
                    s.directive(), resolver, s.directive()));
        }
    }

    /** The end of the scheme and host:port part of a target; variables after it (the URI) do not matter. */
    static int headEnd(String raw) {
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

    private List<Expansion> expand(String template, List<Directive> chain, BlockContext ctx, int depth) {
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

    /**
     * A variable's possible values: in the innermost scope that sets it, its last {@code set} there, and the
     * {@code set}s inside the {@code if} blocks after it (each may hold for some request); a scope whose only sets
     * are inside {@code if} blocks adds them to what the scopes around it give. Else map/geo.
     */
    private static List<Value> lookup(String name, List<Directive> chain, BlockContext ctx) {
        String variable = "$" + name;
        List<Value> conditional = new ArrayList<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            Directive scope = chain.get(i);
            if (scope.name().equals("http") || scope.name().equals("stream")) {
                break;
            }
            Directive last = null;
            List<Directive> ifSets = new ArrayList<>();
            for (Directive d : scope.block()) {
                if (isSetOf(d, variable)) {
                    last = d;
                    ifSets.clear(); // what an earlier if set, this set overwrites
                } else if (d.name().equals("if") && d.hasBlock()) {
                    Directive inIf = null;
                    for (Directive inner : d.block()) {
                        if (isSetOf(inner, variable)) {
                            inIf = inner;
                        }
                    }
                    if (inIf != null) {
                        ifSets.add(inIf);
                    }
                }
            }
            for (Directive d : ifSets) {
                conditional.add(new Value(d.args().get(1), d));
            }
            if (last != null) {
                List<Value> values = new ArrayList<>();
                values.add(new Value(last.args().get(1), last));
                values.addAll(conditional);
                return values;
            }
        }
        List<Value> values = new ArrayList<>(conditional);
        Map<String, Directive> mapped = ctx.variables.get(name);
        if (mapped != null) {
            mapped.forEach((text, origin) -> values.add(new Value(text, origin)));
        }
        return values;
    }

    private static boolean isSetOf(Directive d, String variable) {
        return d.name().equals("set") && d.args().size() == 2 && d.args().get(0).equals(variable);
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
