package dev.proxystage.internal.docker;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.FileContent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/** Assembles the stage's nginx (the real conf.d, certificates, main config) and starts it once {@code nginx -t} passes. */
final class NginxStarter {

    private NginxStarter() {
    }

    /**
     * Starts nginx on {@code network}, publishing {@code ports} on {@code host}; {@code created} hears of the
     * container before it starts, for teardown on failure. Failures name host paths, not container ones.
     */
    static DockerNginx start(NginxSpec spec, String stage, String runId, StageNetwork network, Map<String, String> labels,
                             String host, Set<Integer> ports, Map<String, FileContent> files, String traceConf,
                             NginxConfig config,
                             StageLogs logs, Consumer<GenericContainer<?>> created) {
        String containerName = "nginx-rp-" + stage + "-" + runId;
        Set<Integer> exposed = new TreeSet<>(ports);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(spec.image()))
                .withNetwork(network)
                .withLabels(Labels.with(labels, Labels.ROLE, "nginx"))
                .withExposedPorts(exposed.toArray(Integer[]::new))
                // nginx -t must pass before nginx starts in the foreground.
                .withCopyToContainer(NginxFiles.archive(spec, files, java.util.Optional.of(traceConf),
                        NginxFiles.startCommand(config)), "/")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName(containerName).withEntrypoint("/bin/sh", NginxFiles.ENTRYPOINT).withCmd(List.of());
                    cmd.getHostConfig().withPortBindings(BackendStarter.loopbackBindings(exposed));
                });
        String subject = "nginx (" + containerName + ", image " + spec.image() + ")";
        container.waitingFor(new ListeningWait(subject, host, exposed).withStartupTimeout(Duration.ofSeconds(30)));
        container.withStartupCheckStrategy(new WaitDecides());
        created.accept(container);
        try {
            StartFailures.startExplained(container, subject, "it listened on " + exposed);
        } catch (ProxyStageException e) {
            throw new ProxyStageException(StartFailures.toHostPaths(config, e.getMessage()));
        }
        Map<Integer, Integer> mapped = new LinkedHashMap<>();
        exposed.forEach(port -> mapped.put(port, container.getMappedPort(port)));
        DockerNginx nginx = new DockerNginx(containerName, spec.image(), mapped, container, logs.nginxErrorLog());
        logs.nginx(container, containerName);
        return nginx;
    }
}
