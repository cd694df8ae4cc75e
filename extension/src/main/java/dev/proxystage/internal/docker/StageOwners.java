package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.proxystage.internal.engine.LiveRun;
import dev.proxystage.internal.files.UpProcesses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runs on the engine whose JVM is still alive on this machine, found by the labels every ProxyStage resource
 * carries ({@link Labels#PID}, {@link Labels#HOST}). {@code up} refuses to start a stage that another {@code up}
 * keeps running; {@code down} says which runs it left alone.
 */
final class StageOwners {

    private StageOwners() {
    }

    /** The live runs of {@code stage} (every stage when empty), other than this JVM's own. */
    static List<LiveRun> live(DockerClient docker, Optional<String> stage) {
        List<String> filter = new ArrayList<>(List.of(Labels.RUN));
        stage.ifPresent(name -> filter.add(Labels.STAGE + "=" + name));
        List<Container> containers = docker.listContainersCmd().withShowAll(true).withFilter("label", filter).exec();
        long self = ProcessHandle.current().pid();
        Map<String, LiveRun> runs = new LinkedHashMap<>();
        for (Container container : containers == null ? List.<Container>of() : containers) {
            Map<String, String> labels = container.getLabels() == null ? Map.of() : container.getLabels();
            String runId = labels.get(Labels.RUN);
            // The sweeper's rule: a live JVM of this host (an alive pid whose command is a JVM, or cannot be seen).
            Ownership owner = Ownership.judgeHere(labels);
            if (runId == null || !owner.isLive() || owner.pid() == self) {
                continue;
            }
            long pid = owner.pid();
            boolean up = ProcessHandle.of(pid).flatMap(process -> process.info().arguments())
                    .map(args -> UpProcesses.isUp(Arrays.asList(args))).orElse(true);
            LiveRun run = runs.computeIfAbsent(runId, id -> new LiveRun(id, labels.getOrDefault(Labels.STAGE, "?"), pid, up,
                    new ArrayList<>()));
            run.containers().add(name(container));
        }
        return List.copyOf(runs.values());
    }

    private static String name(Container container) {
        String[] names = container.getNames();
        if (names == null || names.length == 0 || names[0] == null) {
            return container.getId().substring(0, Math.min(12, container.getId().length()));
        }
        return names[0].startsWith("/") ? names[0].substring(1) : names[0];
    }
}
