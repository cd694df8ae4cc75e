package dev.proxystage.internal.docker;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.FileContent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Assembles the stage's nginx (the real conf.d, certificates, main config) and starts it once {@code nginx -t} passes. */
final class NginxStarter {

    private NginxStarter() {
    }

    /**
     * Starts nginx on {@code network}, publishing {@code ports} on {@code host}; {@code created} hears of the
     * container before it starts, for teardown on failure. Failures name host paths, not container ones.
     */
    static DockerNginx start(DockerEngine engine, NginxSpec spec, String stage, String runId, StageNetwork network,
                             Map<String, String> labels, Set<Integer> ports, Map<String, FileContent> files,
                             String traceConf, NginxConfig config, StageLogs logs, Consumer<StageContainer> created) {
        String containerName = "nginx-rp-" + stage + "-" + runId;
        Set<Integer> exposed = new TreeSet<>(ports);
        StageContainer container = new StageContainer(engine.client(), containerName, spec.image())
                .configure(cmd -> {
                    cmd.withLabels(Labels.with(labels, Labels.ROLE, "nginx"))
                            .withEntrypoint("/bin/sh", NginxFiles.ENTRYPOINT).withCmd(List.of());
                    StageContainer.hostConfig(cmd).withNetworkMode(network.name());
                })
                .publish(exposed, engine.bindAddress())
                // nginx -t must pass before nginx starts in the foreground.
                .copy(NginxFiles.archive(spec, files, Optional.of(traceConf), NginxFiles.startCommand(config)));
        String subject = "nginx (" + containerName + ", image " + spec.image() + ")";
        created.accept(container);
        try {
            StageContainer.startExplained(container, new ListeningWait(subject, engine.publishedHost(), exposed),
                    Duration.ofSeconds(30), subject, "it listened on " + exposed);
        } catch (ProxyStageException e) {
            throw new ProxyStageException(StartFailures.toHostPaths(config, e.getMessage()));
        }
        Map<Integer, Integer> mapped = new LinkedHashMap<>();
        exposed.forEach(port -> mapped.put(port, container.mappedPort(port)));
        DockerNginx nginx = new DockerNginx(container, mapped, logs.nginxErrorLog());
        logs.nginx(container.ref(), containerName);
        return nginx;
    }
}
