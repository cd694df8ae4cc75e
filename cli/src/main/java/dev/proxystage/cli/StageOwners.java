package dev.proxystage.cli;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.proxystage.internal.docker.Labels;
import dev.proxystage.internal.docker.Ownership;
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

    static final String MAIN_CLASS = Main.class.getName();

    private StageOwners() {
    }

    /**
     * A run whose JVM is alive.
     *
     * @param up whether that JVM is this tool's {@code up} (else a test JVM), judged by its command line; a command
     *           line the OS does not show counts as {@code up}, so a stage is never started twice by mistake
     */
    record LiveRun(String runId, String stage, long pid, boolean up, List<String> containers) {
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
                    .map(args -> isUp(Arrays.asList(args))).orElse(true);
            LiveRun run = runs.computeIfAbsent(runId, id -> new LiveRun(id, labels.getOrDefault(Labels.STAGE, "?"), pid, up,
                    new ArrayList<>()));
            run.containers().add(name(container));
        }
        return List.copyOf(runs.values());
    }

    /**
     * The {@code up} that {@code fault} and {@code heal} act on: the one of {@code stage}, or the only one running
     * when no stage is named; one line saying what to do when there is none, or several to choose from.
     */
    static LiveRun runningUp(DockerClient docker, Optional<String> stage) {
        List<LiveRun> ups = live(docker, stage).stream().filter(LiveRun::up).toList();
        if (ups.isEmpty()) {
            throw new dev.proxystage.ProxyStageException("no 'up' " + stage.map(s -> "of stage " + s + " ").orElse("")
                    + "runs on this machine; start one with: " + Main.NAME + " up" + stage.map(s -> " --stage " + s).orElse(""));
        }
        if (ups.size() > 1) {
            throw new dev.proxystage.ProxyStageException("several 'up's run (stages " + String.join(", ", ups.stream()
                    .map(LiveRun::stage).toList()) + "); pass --stage <stage>");
        }
        return ups.get(0);
    }

    /** The running {@code up} of {@code stage}, if there is one. */
    static Optional<LiveRun> liveUp(DockerClient docker, String stage) {
        return live(docker, Optional.of(stage)).stream().filter(LiveRun::up).findFirst();
    }

    /**
     * Whether a JVM's arguments (without the executable) run this tool's {@code up}: {@code ... dev.proxystage.cli.Main
     * up ...} or {@code ... -jar <jar> up ...}; the first word after the main class or jar that is not an option is
     * the command.
     */
    static boolean isUp(List<String> args) {
        int command = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(MAIN_CLASS)) {
                command = i + 1;
                break;
            }
            if (args.get(i).equals("-jar")) {
                command = i + 2;
                break;
            }
        }
        if (command < 0) {
            return false;
        }
        for (int i = command; i < args.size(); i++) {
            if (!args.get(i).startsWith("-")) {
                return args.get(i).equals("up");
            }
        }
        return false;
    }

    /** This machine's name as {@link Labels} records it. */
    static String thisHostName() {
        return Labels.hostName();
    }

    private static String name(Container container) {
        String[] names = container.getNames();
        if (names == null || names.length == 0 || names[0] == null) {
            return container.getId().substring(0, Math.min(12, container.getId().length()));
        }
        return names[0].startsWith("/") ? names[0].substring(1) : names[0];
    }
}
