package dev.proxystage.internal.check;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.RouteTableFile;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.Listen;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import okhttp3.HttpUrl;

/** Static checks of a route table against its pipeline and each stage's conf.d: no Docker. */
public final class RouteTableCheck {

    private RouteTableCheck() {
    }

    /** A per-stage override must name a stage of the pipeline; the first one that does not is thrown. */
    public static void requireKnownStages(RouteTableFile table, PipelineConfig pipeline) {
        unknownStages(table, pipeline).stream().findFirst().ifPresent(problem -> {
            throw new ProxyStageException(problem);
        });
    }

    static List<String> unknownStages(RouteTableFile table, PipelineConfig pipeline) {
        List<String> problems = new ArrayList<>();
        for (RouteTableFile.Route route : table.routes()) {
            route.stageLocations().forEach((stage, location) -> {
                if (!pipeline.stageNames().contains(stage)) {
                    problems.add(location + ": route '" + route.name() + "' names stage '" + stage + "', which "
                            + pipeline.file().getFileName() + " does not have (known: " + String.join(", ", pipeline.stageNames()) + ")");
                }
            });
        }
        return problems;
    }

    /**
     * What conf.d has on one port: its server blocks, their listens there, and its exact server names indexed, so a
     * table of one route per server name is checked in time linear in its size.
     */
    private record Port(Listen first, boolean allSsl, boolean anySsl, boolean hasDefault, Set<String> exactNames,
                        List<ServerBlock> patterned) {

        static Map<Integer, Port> of(NginxConfig config) {
            Map<Integer, List<ServerBlock>> byPort = new HashMap<>();
            for (ServerBlock server : config.servers()) {
                server.listens().stream().map(Listen::port).distinct()
                        .forEach(port -> byPort.computeIfAbsent(port, p -> new ArrayList<>()).add(server));
            }
            Map<Integer, Port> ports = new HashMap<>();
            byPort.forEach((port, servers) -> {
                List<Listen> listens = servers.stream().flatMap(s -> s.listens().stream()).filter(l -> l.port() == port).toList();
                Set<String> exact = new HashSet<>();
                List<ServerBlock> patterned = new ArrayList<>();
                for (ServerBlock server : servers) {
                    boolean pattern = false;
                    for (String name : server.serverNames()) {
                        if (isPattern(name)) {
                            pattern = true;
                        } else {
                            exact.add(name.toLowerCase(Locale.ROOT));
                        }
                    }
                    if (pattern) {
                        patterned.add(server);
                    }
                }
                ports.put(port, new Port(listens.get(0), listens.stream().allMatch(Listen::ssl),
                        listens.stream().anyMatch(Listen::ssl), listens.stream().anyMatch(Listen::defaultServer), exact,
                        patterned));
            });
            return ports;
        }

        boolean serves(String host) {
            return exactNames.contains(host) || patterned.stream().anyMatch(s -> RouteTableCheck.serves(s, host));
        }
    }

    private static boolean isPattern(String name) {
        return name.startsWith("~") || name.startsWith("*.") || name.startsWith(".") || name.endsWith(".*");
    }

    /** The routes of {@code table} that {@code stage} runs, against its conf.d and its backends. */
    static List<String> problems(RouteTableFile table, StageDefinition stage, NginxConfig config) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Port> ports = Port.of(config);
        List<String> aliases = stage.backends().stream().map(BackendSpec::alias).toList();
        for (RouteTableFile.Route route : table.routes()) {
            Optional<RouteTableFile.Expect> expect = route.expectIn(stage.name());
            if (expect.isEmpty()) {
                continue;
            }
            HttpUrl url = HttpUrl.get(route.request().url().replaceFirst("^(?i)ws", "http"));
            String host = url.host().toLowerCase(Locale.ROOT);
            Port port = ports.get(url.port());
            if (port == null) {
                problems.add(route.location() + ": route '" + route.name() + "': no server block listens on port " + url.port()
                        + " in stage " + stage.name() + " (conf.d listens on " + new TreeSet<>(config.listenPorts()) + ")");
            } else {
                // A scheme nginx does not speak on the port ends the request before a server block is chosen.
                Optional<String> mismatch = schemeMismatch(route, url, port, stage);
                if (mismatch.isPresent()) {
                    problems.add(mismatch.get());
                } else if (!port.hasDefault() && !port.serves(host) && !reservedForDefaultServer(host)) {
                    problems.add(route.location() + ": route '" + route.name() + "': no server block serves host " + host
                            + " on port " + url.port() + " in stage " + stage.name());
                }
            }
            route.fault().ifPresent(fault -> {
                Optional<BackendSpec> broken = stage.backend(fault.backend());
                if (broken.isEmpty()) {
                    problems.add(fault.location() + ": route '" + route.name() + "': fault.backend '" + fault.backend()
                            + "' is not a backend of stage " + stage.name() + " (backends: " + String.join(", ",
                            stage.backends().stream().map(BackendSpec::name).toList()) + ")");
                } else if (fault.fault().needsFaultProxy() && !broken.get().faults()) {
                    problems.add(fault.location() + ": route '" + route.name() + "': fault '" + fault.fault() + "' needs the"
                            + " fault proxy in the path of backend '" + fault.backend() + "' of stage " + stage.name()
                            + ": add 'faults: true' to backends." + fault.backend() + " in pipeline.yml");
                }
            });
            expect.get().backends().forEach(alias -> {
                if (!aliases.contains(alias)) {
                    problems.add(expect.get().backendLocation() + ": route '" + route.name() + "' expects backend '" + alias
                            + "', which is not a backend alias of stage " + stage.name() + " (aliases: " + String.join(", ", aliases) + ")");
                }
            });
        }
        return problems;
    }

    /**
     * The scheme must match what nginx speaks on the port: the {@code ssl} flag of its listens there. A plain request
     * to a port that listens only with ssl gets nginx's 400 ("The plain HTTP request was sent to HTTPS port"); a TLS
     * handshake with a port without ssl fails.
     */
    private static Optional<String> schemeMismatch(RouteTableFile.Route route, HttpUrl url, Port port,
                                                   StageDefinition stage) {
        String scheme = route.request().url().substring(0, route.request().url().indexOf(':')).toLowerCase(Locale.ROOT);
        String listen = port.first().file() + ":" + port.first().line();
        if (!url.isHttps() && port.allSsl()) {
            return Optional.of(route.urlLocation() + ": route '" + route.name() + "': " + scheme + ":// to port " + url.port()
                    + ", where nginx listens only with ssl (" + listen + ") in stage " + stage.name()
                    + "; nginx would answer 400 to a plain request there; use " + scheme + "s://");
        }
        if (url.isHttps() && !port.anySsl()) {
            return Optional.of(route.urlLocation() + ": route '" + route.name() + "': " + scheme + ":// to port " + url.port()
                    + ", where nginx listens without ssl (" + listen + ") in stage " + stage.name()
                    + "; the TLS handshake would fail; use " + scheme.substring(0, scheme.length() - 1) + "://");
        }
        return Optional.empty();
    }

    /**
     * A host under {@code .invalid} (reserved, RFC 2606) is one no server can mean, so a route with it asks for the
     * port's default server on purpose, as init writes for a server without a usable name: nginx gives such a host to
     * the port's default server whether {@code default_server} marks it or not. Any other unclaimed host is more
     * likely a typo.
     */
    static boolean reservedForDefaultServer(String host) {
        return host.endsWith(".invalid");
    }

    /** nginx's server_name forms: exact, {@code *.suffix}, {@code .domain}, {@code prefix.*}, {@code ~regex}. */
    static boolean serves(ServerBlock server, String host) {
        for (String raw : server.serverNames()) {
            String name = raw.toLowerCase(Locale.ROOT);
            if (name.startsWith("~")) {
                try {
                    if (Pattern.compile(raw.substring(1)).matcher(host).find()) {
                        return true;
                    }
                } catch (PatternSyntaxException e) {
                    // nginx -t reports it; not a match here
                }
            } else if (name.startsWith("*.") ? host.endsWith(name.substring(1))
                    : name.startsWith(".") ? host.equals(name.substring(1)) || host.endsWith(name)
                    : name.endsWith(".*") ? host.startsWith(name.substring(0, name.length() - 1))
                    : name.equals(host)) {
                return true;
            }
        }
        return false;
    }
}
