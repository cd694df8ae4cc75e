package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A header that ends up set twice for a location (gixy's header redefinition class). nginx inherits
 * {@code proxy_set_header} and {@code add_header} from the enclosing level only when a level has none of its own;
 * a level with any REPLACES the inherited set. So two directives for one header meet only within one level, most
 * often through an include beside the site's own line; nginx then sends the header twice.
 */
final class HeaderRedefinitions {

    /** Headers that are meant to repeat. */
    private static final Set<String> REPEATABLE = Set.of("set-cookie", "link", "vary", "via", "warning");

    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Boolean> reported = new LinkedHashMap<>();

    private HeaderRedefinitions() {
    }

    /** The redefinitions under every http block of {@code top} (the main context). */
    static List<Problem> check(List<Directive> top) {
        HeaderRedefinitions check = new HeaderRedefinitions();
        for (Directive http : top) {
            if (!http.name().equals("http") || !http.hasBlock()) {
                continue;
            }
            Level proxy = Level.of(http, "proxy_set_header", null);
            Level add = Level.of(http, "add_header", null);
            for (Directive server : http.children("server")) {
                if (server.hasBlock()) {
                    check.server(server, proxy, add);
                }
            }
        }
        return check.problems;
    }

    private void server(Directive server, Level proxyOuter, Level addOuter) {
        List<Directive> names = server.children("server_name");
        String serverName = names.isEmpty() || names.get(0).args().isEmpty() ? "at " + server.where()
                : names.get(0).args().get(0);
        Level proxy = Level.of(server, "proxy_set_header", proxyOuter);
        Level add = Level.of(server, "add_header", addOuter);
        List<Directive> locations = server.children("location");
        if (locations.isEmpty()) {
            report(add, "server " + serverName, server, "client");
        }
        for (Directive location : locations) {
            location(location, serverName, proxy, add);
        }
    }

    private record Pending(Directive location, Level proxyOuter, Level addOuter) {
    }

    private void location(Directive outermost, String serverName, Level proxyOuter, Level addOuter) {
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        Deque<Pending> pending = new ArrayDeque<>();
        pending.push(new Pending(outermost, proxyOuter, addOuter));
        while (!pending.isEmpty()) {
            Pending next = pending.pop();
            Directive location = next.location();
            Level proxy = Level.of(location, "proxy_set_header", next.proxyOuter());
            Level add = Level.of(location, "add_header", next.addOuter());
            String name = "location " + String.join(" ", location.args()) + " of server " + serverName;
            if (passes(location)) {
                report(proxy, name, location, "backend");
            }
            report(add, name, location, "client");
            List<Directive> nested = location.children("location");
            for (int i = nested.size() - 1; i >= 0; i--) {
                if (nested.get(i).hasBlock()) {
                    pending.push(new Pending(nested.get(i), proxy, add));
                }
            }
        }
    }

    private static boolean passes(Directive location) {
        for (Directive d : location.block()) {
            if (d.name().equals("proxy_pass") || d.name().equals("if") && passes(d)) {
                return true;
            }
        }
        return false;
    }

    private void report(Level level, String where, Directive block, String receiver) {
        for (List<Directive> same : level.byHeader.values()) {
            if (same.size() < 2) {
                continue;
            }
            Directive first = same.get(0);
            Directive second = same.get(1);
            // "here" is the site's own line when one of the two is in the block's file, the later one otherwise.
            if (first.file().equals(block.file()) && !second.file().equals(block.file())) {
                Directive swap = first;
                first = second;
                second = swap;
            }
            if (reported.putIfAbsent(first.where() + " " + second.where(), true) != null) {
                continue;
            }
            String header = second.args().get(0);
            problems.add(new Problem(Severity.WARNING, Rule.NGINX_HEADERS, second.file(), second.line(), header + " is set twice for "
                    + where + ": here and at " + first.where() + " (the " + receiver + " receives two " + header
                    + " headers)"));
        }
    }

    /** The directives of one kind in effect at a level, by lower-cased header name. */
    private record Level(Map<String, List<Directive>> byHeader) {

        static Level of(Directive block, String directive, Level outer) {
            Map<String, List<Directive>> own = new LinkedHashMap<>();
            for (Directive d : block.children(directive)) {
                if (d.args().size() < 2 || d.args().get(1).isEmpty()) {
                    continue; // an empty value sends nothing
                }
                String header = d.args().get(0).toLowerCase(Locale.ROOT);
                if (!REPEATABLE.contains(header)) {
                    own.computeIfAbsent(header, k -> new ArrayList<>()).add(d);
                }
            }
            boolean hasOwn = !block.children(directive).isEmpty();
            if (hasOwn || outer == null) {
                return new Level(own);
            }
            return outer;
        }
    }
}
