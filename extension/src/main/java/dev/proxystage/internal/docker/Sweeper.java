package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import dev.proxystage.internal.docker.Ownership.ProcessTable;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the containers, networks and volumes that ProxyStage runs left behind. Every resource ProxyStage creates
 * carries the {@link Labels}; a run is an <em>orphan</em> when its {@link Labels#HOST} is this machine and no JVM
 * with its {@link Labels#PID} is alive any more (killed, crashed). {@link #sweepOrphans()} removes only orphans, so it
 * is safe to call while other runs are going; {@link #sweepRun} and {@link #sweepStage} are for a user who asks.
 *
 * <p>Each sweep makes one list call per resource type (filtered by label), then removes per run: containers (forced,
 * with their anonymous volumes), then networks, then volumes. Something already gone (another sweeper was quicker)
 * is not a problem; any other failure lands in {@link SweepReport#problems()} instead of being thrown.
 */
public final class Sweeper {

    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

    /** Which runs a sweep takes, by the verdict on their owner. */
    enum Scope {
        /** Only runs whose JVM is provably gone from this host. */
        ORPHANS,
        /** This host's runs except those whose JVM still runs; runs of other hosts (a shared engine) are theirs. */
        THIS_HOST_BUT_LIVE,
        /** Everything the filter matched. */
        EVERYTHING;

        boolean takes(Ownership owner) {
            return switch (this) {
                case ORPHANS -> owner.isOrphan();
                case THIS_HOST_BUT_LIVE -> owner.state() != Ownership.State.LIVE && owner.state() != Ownership.State.OTHER_HOST;
                case EVERYTHING -> true;
            };
        }
    }

    private final DockerClient docker;
    private final String thisHost;
    private final ProcessTable processes;

    Sweeper(DockerClient docker, String thisHost, ProcessTable processes) {
        this.docker = Objects.requireNonNull(docker, "docker");
        this.thisHost = Objects.requireNonNull(thisHost, "thisHost");
        this.processes = Objects.requireNonNull(processes, "processes");
    }

    /** A sweeper for the engine that {@code docker} talks to, judging owners against this machine's processes. */
    public static Sweeper onEngine(DockerClient docker) {
        return new Sweeper(docker, thisHostName(), ProcessTable.SYSTEM);
    }

    /**
     * Removes every run made on this host whose JVM is gone (no process with its pid, or one that is not a JVM: the
     * pid was reused). Runs of live JVMs, of other hosts and without owner labels are left alone. Logs nothing when
     * there was nothing to sweep. The test CA directories of this user that those JVMs left go too.
     */
    public SweepReport sweepOrphans() {
        TestCertificateAuthority.removeAbandoned()
                .forEach(dir -> LOG.info("removed the test CA directory {} of a JVM that is gone", dir));
        return sweep(List.of(Labels.RUN), Scope.ORPHANS);
    }

    /** Removes everything of run {@code runId}, whoever owns it and whether or not its JVM is alive. */
    public SweepReport sweepRun(String runId) {
        Objects.requireNonNull(runId, "runId");
        if (runId.isBlank()) {
            throw new IllegalArgumentException("runId must not be blank");
        }
        return sweep(List.of(Labels.RUN + "=" + runId), Scope.EVERYTHING);
    }

    /**
     * Removes everything of {@code stage} (or, when empty, everything ProxyStage made) that this host's runs made on
     * the engine; runs of other hosts sharing the engine are left alone. Unless {@code includeLive}, so are runs whose
     * JVM is still alive on this host; with it, everything of the stage goes, whichever host made it.
     */
    public SweepReport sweepStage(Optional<String> stage, boolean includeLive) {
        Objects.requireNonNull(stage, "stage");
        List<String> filter = new ArrayList<>(List.of(Labels.RUN));
        stage.ifPresent(name -> {
            if (name.isBlank()) {
                throw new IllegalArgumentException("stage must not be blank");
            }
            filter.add(Labels.STAGE + "=" + name);
        });
        return sweep(filter, includeLive ? Scope.EVERYTHING : Scope.THIS_HOST_BUT_LIVE);
    }

    // --- the sweep ---

    private SweepReport sweep(List<String> labelFilter, Scope scope) {
        Map<String, RunResources> runs;
        try {
            runs = list(labelFilter);
        } catch (RuntimeException e) {
            // Without a full picture nothing is removed: a network or volume may still be in use by a container we missed.
            SweepReport failed = new SweepReport(List.of(), List.of(), List.of(), List.of(),
                    List.of("list resources labelled " + String.join(", ", labelFilter) + ": " + describe(e)));
            LOG.warn("{}", failed);
            return failed;
        }
        Map<Long, Ownership.Process> seen = new HashMap<>();
        ProcessTable cached = pid -> seen.computeIfAbsent(pid, processes::lookup);
        SweepReport total = SweepReport.empty();
        for (RunResources run : runs.values()) {
            Ownership owner = Ownership.combine(run.owners.stream()
                    .map(labels -> Ownership.judge(labels, thisHost, cached))
                    .toList());
            if (!scope.takes(owner)) {
                if (scope == Scope.THIS_HOST_BUT_LIVE) {
                    LOG.info("left run {} alone: {} (its JVM still runs here; include live runs to remove it)", run.runId, owner);
                } else {
                    LOG.debug("left run {} alone: {}", run.runId, owner);
                }
                continue;
            }
            SweepReport swept = remove(run, owner);
            if (!swept.problems().isEmpty()) {
                LOG.warn("{}", swept);
            } else if (!swept.isEmpty()) {
                LOG.info("{}", swept);
            }
            total = total.plus(swept);
        }
        return total;
    }

    private Map<String, RunResources> list(List<String> labelFilter) {
        List<Container> containers = docker.listContainersCmd().withShowAll(true).withFilter("label", labelFilter).exec();
        List<Network> networks = docker.listNetworksCmd().withFilter("label", labelFilter).exec();
        List<InspectVolumeResponse> volumes = docker.listVolumesCmd().withFilter("label", labelFilter).exec().getVolumes();

        Map<String, RunResources> runs = new TreeMap<>();
        for (Container container : nullToEmpty(containers)) {
            run(runs, container.getLabels()).ifPresent(run -> run.containers.add(new Resource(container.getId(), containerName(container))));
        }
        for (Network network : nullToEmpty(networks)) {
            run(runs, network.getLabels()).ifPresent(run -> run.networks.add(new Resource(network.getId(), network.getName())));
        }
        for (InspectVolumeResponse volume : nullToEmpty(volumes)) {
            run(runs, volume.getLabels()).ifPresent(run -> run.volumes.add(new Resource(volume.getName(), volume.getName())));
        }
        return runs;
    }

    /** The run a resource with these labels belongs to, noting the owner they name; none without a run label. */
    private static Optional<RunResources> run(Map<String, RunResources> runs, Map<String, String> labels) {
        // The engine filtered on the run label, so a resource without one is only a safety net.
        String runId = labels == null ? null : labels.get(Labels.RUN);
        if (runId == null) {
            return Optional.empty();
        }
        RunResources run = runs.computeIfAbsent(runId, RunResources::new);
        Map<String, String> owner = new HashMap<>();
        owner.put(Labels.HOST, labels.get(Labels.HOST));
        owner.put(Labels.PID, labels.get(Labels.PID));
        run.owners.add(owner);
        return Optional.of(run);
    }

    private SweepReport remove(RunResources run, Ownership owner) {
        List<String> problems = new ArrayList<>();
        List<String> containers = new ArrayList<>();
        // As a stage's own teardown: off the run's networks one container at a time, then removed (StageTeardown).
        StageTeardown.Engine engine = StageTeardown.onEngine(docker);
        StageTeardown.Order order = StageTeardown.Order.forEngine(() -> docker.versionCmd().exec().getApiVersion());
        List<String> networkIds = run.networks.stream().map(Resource::id).toList();
        for (Resource container : run.containers) {
            attempt(problems, containers, container, "container",
                    () -> StageTeardown.takeDown(engine, order, container.id(), networkIds));
        }
        List<String> networks = new ArrayList<>();
        for (Resource network : run.networks) {
            attempt(problems, networks, network, "network", () -> NetworkRemoval.removeLeftover(docker, network.id(), network.name()));
        }
        List<String> volumes = new ArrayList<>();
        for (Resource volume : run.volumes) {
            attempt(problems, volumes, volume, "volume", () -> docker.removeVolumeCmd(volume.id()).exec());
        }
        List<SweepReport.Run> runs = containers.isEmpty() && networks.isEmpty() && volumes.isEmpty() && problems.isEmpty()
                ? List.of()
                : List.of(new SweepReport.Run(run.runId, owner.toString()));
        return new SweepReport(runs, containers, networks, volumes, problems);
    }

    private static void attempt(List<String> problems, List<String> removed, Resource resource, String kind, Runnable removal) {
        try {
            removal.run();
            removed.add(resource.name());
        } catch (NotFoundException alreadyGone) {
            // another sweeper (or the owner's own teardown) was quicker: the goal is reached
        } catch (RuntimeException e) {
            problems.add("remove " + kind + " " + resource.name() + ": " + describe(e));
        }
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String containerName(Container container) {
        String[] names = container.getNames();
        if (names == null || names.length == 0 || names[0] == null) {
            return container.getId().substring(0, Math.min(12, container.getId().length()));
        }
        return names[0].startsWith("/") ? names[0].substring(1) : names[0];
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** This machine's name, as the {@link Labels#HOST} label records it. */
    static String thisHostName() {
        return Labels.hostName();
    }

    private record Resource(String id, String name) {
    }

    /** The resources of one run, as the list calls found them, and the owners their labels name. */
    private static final class RunResources {

        final String runId;
        final List<Resource> containers = new ArrayList<>();
        final List<Resource> networks = new ArrayList<>();
        final List<Resource> volumes = new ArrayList<>();
        final Set<Map<String, String>> owners = new LinkedHashSet<>();

        RunResources(String runId) {
            this.runId = runId;
        }
    }

    /**
     * What a sweep removed: the runs it took (with what became of their owner), the names of the removed containers,
     * networks and volumes, and what could not be removed.
     */
    public record SweepReport(List<Run> runs, List<String> containers, List<String> networks, List<String> volumes,
                              List<String> problems) {

        /** How many container names {@link #toString()} shows before it abbreviates. */
        private static final int NAMES_SHOWN = 3;

        public SweepReport {
            runs = List.copyOf(runs);
            containers = List.copyOf(containers);
            networks = List.copyOf(networks);
            volumes = List.copyOf(volumes);
            problems = List.copyOf(problems);
        }

        /** A run that was swept, and why it could be, e.g. {@code pid 4242 gone}. */
        public record Run(String id, String owner) {

            @Override
            public String toString() {
                return id + " (" + owner + ")";
            }
        }

        public static SweepReport empty() {
            return new SweepReport(List.of(), List.of(), List.of(), List.of(), List.of());
        }

        /** True when nothing was removed and nothing went wrong. */
        public boolean isEmpty() {
            return containers.isEmpty() && networks.isEmpty() && volumes.isEmpty() && problems.isEmpty();
        }

        /** Both reports in one. */
        public SweepReport plus(SweepReport other) {
            return new SweepReport(concat(runs, other.runs), concat(containers, other.containers),
                    concat(networks, other.networks), concat(volumes, other.volumes), concat(problems, other.problems));
        }

        private static <T> List<T> concat(List<T> a, List<T> b) {
            List<T> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }

        /**
         * One line, e.g. {@code swept run 1a2b3c4d (pid 4242 gone): 3 containers (nginx-rp-prep-1a2b3c4d, …), 1 network,
         * 1 volume}.
         */
        @Override
        public String toString() {
            if (isEmpty()) {
                return "nothing to sweep";
            }
            StringBuilder line = new StringBuilder();
            if (runs.isEmpty()) {
                line.append("swept nothing");
            } else {
                line.append(runs.size() == 1 ? "swept run " : "swept runs ")
                        .append(runs.stream().map(Run::toString).collect(Collectors.joining(", ")))
                        .append(": ");
                List<String> parts = new ArrayList<>();
                if (!containers.isEmpty()) {
                    parts.add(count(containers.size(), "container") + " (" + abbreviated(containers) + ")");
                }
                if (!networks.isEmpty()) {
                    parts.add(count(networks.size(), "network"));
                }
                if (!volumes.isEmpty()) {
                    parts.add(count(volumes.size(), "volume"));
                }
                line.append(parts.isEmpty() ? "nothing removed" : String.join(", ", parts));
            }
            if (!problems.isEmpty()) {
                line.append("; ").append(count(problems.size(), "problem")).append(": ").append(String.join("; ", problems));
            }
            return line.toString();
        }

        private static String count(int n, String noun) {
            return n + " " + noun + (n == 1 ? "" : "s");
        }

        private static String abbreviated(List<String> names) {
            return names.size() <= NAMES_SHOWN
                    ? String.join(", ", names)
                    : String.join(", ", names.subList(0, NAMES_SHOWN)) + ", …";
        }
    }
}
