package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.RouteTable;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Static checks of a route table against its pipeline and each stage's conf.d: no Docker. */
final class RouteTableCheck {

    private RouteTableCheck() {
    }

    /** A per-stage override must name a stage of the pipeline; the first one that does not is thrown. */
    static void requireKnownStages(RouteTable table, PipelineConfig pipeline) {
        unknownStages(table, pipeline).stream().findFirst().ifPresent(problem -> {
            throw new ProxyStageException(problem);
        });
    }

    static List<String> unknownStages(RouteTable table, PipelineConfig pipeline) {
        List<String> problems = new ArrayList<>();
        for (RouteTable.Route route : table.routes()) {
            route.stageLocations().forEach((stage, location) -> {
                if (!pipeline.stageNames().contains(stage)) {
                    problems.add(location + ": route '" + route.name() + "' names stage '" + stage + "', which "
                            + pipeline.file().getFileName() + " does not have (known: " + String.join(", ", pipeline.stageNames()) + ")");
                }
            });
        }
        return problems;
    }

    /** The routes of {@code table} that {@code stage} runs, against its conf.d and its backends. */
    static List<String> problems(RouteTable table, StageDefinition stage, NginxConfig config) {
        List<String> problems = new ArrayList<>();
        for (RouteTable.Route route : table.routes()) {
            Optional<RouteTable.Expect> expect = route.expectIn(stage.name());
            if (expect.isEmpty()) {
                continue;
            }
            okhttp3.HttpUrl url = okhttp3.HttpUrl.get(route.request().url().replaceFirst("^(?i)ws", "http"));
            String host = url.host().toLowerCase(Locale.ROOT);
            List<ServerBlock> onPort = config.servers().stream()
                    .filter(s -> s.listens().stream().anyMatch(l -> l.port() == url.port())).toList();
            if (onPort.isEmpty()) {
                problems.add(route.location() + ": route '" + route.name() + "': no server block listens on port " + url.port()
                        + " in stage " + stage.name() + " (conf.d listens on " + new TreeSet<>(config.listenPorts()) + ")");
            } else if (onPort.stream().noneMatch(s -> serves(s, host))
                    && onPort.stream().noneMatch(s -> s.listens().stream().anyMatch(l -> l.port() == url.port() && l.defaultServer()))) {
                problems.add(route.location() + ": route '" + route.name() + "': no server block serves host " + host
                        + " on port " + url.port() + " in stage " + stage.name());
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
            expect.get().backend().ifPresent(alias -> {
                List<String> aliases = stage.backends().stream().map(BackendSpec::alias).toList();
                if (!aliases.contains(alias)) {
                    problems.add(expect.get().backendLocation() + ": route '" + route.name() + "' expects backend '" + alias
                            + "', which is not a backend alias of stage " + stage.name() + " (aliases: " + String.join(", ", aliases) + ")");
                }
            });
        }
        return problems;
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
