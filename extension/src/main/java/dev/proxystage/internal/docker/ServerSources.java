package dev.proxystage.internal.docker;

import dev.proxystage.RoutingTrace;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.Listen;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.nginx.ServerBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the server block of a routing trace ({@code $server_name} and {@code $server_port}) in the parsed conf.d, with
 * the files included into it and the stage's static warnings about them, so a failing assertion can point at the
 * configuration that produced the answer.
 */
final class ServerSources {

    private record Entry(String name, Set<Integer> ports, RoutingTrace.ServerSource source) {
    }

    static final ServerSources NONE = new ServerSources(List.of());

    private final List<Entry> entries;

    private ServerSources(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    static ServerSources of(NginxConfig config, List<Problem> warnings) {
        List<Entry> entries = new ArrayList<>();
        for (ServerBlock server : config.servers()) {
            Set<Path> included = new LinkedHashSet<>();
            int[] lastLine = {server.line()};
            collect(server.directive(), server.file(), included, lastLine);
            included.remove(server.file());
            List<String> findings = warnings.stream()
                    .filter(w -> included.contains(w.file())
                            || w.file().equals(server.file()) && w.line() >= server.line() && w.line() <= lastLine[0])
                    .map(Problem::toString).toList();
            Set<Integer> ports = new LinkedHashSet<>();
            server.listens().stream().map(Listen::port).forEach(ports::add);
            String name = server.serverNames().isEmpty() ? "" : server.serverNames().get(0);
            entries.add(new Entry(name, ports, new RoutingTrace.ServerSource(server.directive().where(),
                    included.stream().map(Path::toString).toList(), findings)));
        }
        return new ServerSources(entries);
    }

    /** Every file whose directives are inside {@code directive}, and the last line of it in its own file. */
    private static void collect(Directive directive, Path own, Set<Path> files, int[] lastLine) {
        for (Directive child : directive.block()) {
            files.add(child.file());
            if (child.file().equals(own)) {
                lastLine[0] = Math.max(lastLine[0], child.line());
            }
            collect(child, own, files, lastLine);
        }
    }

    /** The block nginx names {@code serverName} that listens on {@code port}; else the only one with that name. */
    Optional<RoutingTrace.ServerSource> find(String serverName, int port) {
        List<Entry> named = entries.stream().filter(e -> e.name().equals(serverName)).toList();
        Optional<Entry> onPort = named.stream().filter(e -> e.ports().contains(port)).findFirst();
        if (onPort.isPresent()) {
            return onPort.map(Entry::source);
        }
        return named.size() == 1 ? Optional.of(named.get(0).source()) : Optional.empty();
    }
}
