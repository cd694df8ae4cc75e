package dev.proxystage.internal.report;

import dev.proxystage.internal.check.CheckFinding;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.Location;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.nginx.ProxyTarget;
import dev.proxystage.internal.nginx.ServerBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stage's routing map, from its parsed conf.d and its definition: server block → location → upstream → container.
 *
 * @param files    every conf.d file nginx reads in this stage (host paths)
 * @param findings the static findings of the stage's conf.d, as {@code check} prints them
 */
public record StageMap(String stage, String nginxImage, List<String> backends, List<Server> servers, List<Path> files,
                       List<String> findings) {

    /** A server block: its names and listens, where it is written, and its locations. */
    public record Server(List<String> names, List<String> listens, String where, List<Place> locations) {
    }

    /**
     * A location (or the server itself, for a pass at server level), as deep as it is nested.
     *
     * @param targets where it passes requests: {@code http://vaultwarden:80 → vaultwarden@prep}
     */
    public record Place(int depth, String location, String where, List<String> targets) {
    }

    private static final Set<String> PASSES = Set.of("proxy_pass", "grpc_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass");

    /** The map of a stage that runs {@code definition} with {@code config}; {@code warnings} are its plan's. */
    public static StageMap of(StageDefinition definition, NginxConfig config, List<Problem> warnings) {
        Map<String, List<ProxyTarget>> byPass = new HashMap<>();
        config.proxyTargets().forEach(t -> byPass.computeIfAbsent(key(t.directive()), k -> new ArrayList<>()).add(t));
        List<Server> servers = new ArrayList<>();
        for (ServerBlock block : config.servers()) {
            List<Place> places = new ArrayList<>();
            List<String> own = targets(block.directive(), byPass, definition);
            if (!own.isEmpty()) {
                places.add(new Place(0, "(server)", where(block.file(), block.line()), own));
            }
            block.locations().forEach(l -> walk(l, 0, places, byPass, definition));
            servers.add(new Server(block.serverNames(),
                    block.listens().stream().map(l -> (l.address().isEmpty() ? "" : l.address() + ":") + l.port()
                            + (l.ssl() ? " ssl" : "") + (l.defaultServer() ? " default_server" : "")).toList(),
                    where(block.file(), block.line()), List.copyOf(places)));
        }
        return new StageMap(definition.name(), definition.nginx().image(),
                definition.backends().stream().map(b -> b.name() + " (" + b.image() + ", alias " + b.alias() + ")").toList(),
                List.copyOf(servers), List.copyOf(config.files()),
                warnings.stream().map(p -> CheckFinding.of(p).line()).toList());
    }

    private static void walk(Location location, int depth, List<Place> places, Map<String, List<ProxyTarget>> byPass,
                             StageDefinition definition) {
        String text = (location.modifier().symbol().isEmpty() ? "" : location.modifier().symbol() + " ") + location.pattern();
        if (location.modifier() == Location.Modifier.NAMED) {
            text = "@" + location.pattern();
        }
        places.add(new Place(depth, text, where(location.file(), location.line()), targets(location.directive(), byPass, definition)));
        location.locations().forEach(l -> walk(l, depth + 1, places, byPass, definition));
    }

    /** The passes and returns directly in {@code block}, each with where it leads. */
    private static List<String> targets(Directive block, Map<String, List<ProxyTarget>> byPass, StageDefinition definition) {
        List<String> out = new ArrayList<>();
        for (Directive d : block.block()) {
            if (PASSES.contains(d.name())) {
                List<ProxyTarget> targets = byPass.getOrDefault(key(d), List.of());
                if (targets.isEmpty()) {
                    out.add(d.name() + " " + String.join(" ", d.args()));
                }
                for (ProxyTarget t : targets) {
                    String hostPort = t.resolved() ? t.host() + (t.port() > 0 ? ":" + t.port() : "") : t.host();
                    out.add(t.target() + (t.target().contains(hostPort) ? "" : " (" + hostPort + ")") + " → "
                            + container(t, definition));
                }
            } else if (d.name().equals("return")) {
                out.add("return " + String.join(" ", d.args()));
            }
        }
        return List.copyOf(out);
    }

    private static String container(ProxyTarget target, StageDefinition definition) {
        if (!target.resolved()) {
            return "decided at request time";
        }
        for (BackendSpec b : definition.backends()) {
            if (b.hostNames().contains(target.host())) {
                return b.name() + "@" + definition.name();
            }
        }
        return "no backend of this stage";
    }

    private static String key(Directive d) {
        return d.file() + ":" + d.line() + ":" + d.name() + ":" + d.args();
    }

    static String where(Path file, int line) {
        return Shown.path(file) + (line > 0 ? ":" + line : "");
    }
}
