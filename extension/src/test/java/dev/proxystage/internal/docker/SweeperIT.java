package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.proxystage.internal.docker.Sweeper.SweepReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * The sweeper against a real engine: runs whose JVM is gone are removed, live runs and runs of other hosts are kept.
 * Every run here has a random id and a stage of its own, so parallel builds on the same engine do not collide; the
 * images are local ({@code proxystage/jre:17-offline}) and nothing is pulled.
 */
class SweeperIT {

    private static final String IMAGE = "proxystage/jre:17-offline";

    private static long deadPid;

    private final DockerClient docker = DockerClientFactory.instance().client();
    private final Sweeper sweeper = Sweeper.onEngine(docker);
    private final String thisHost = Sweeper.thisHostName();
    private final long thisPid = ProcessHandle.current().pid();
    private final String stage = "sweeper-it-" + randomId();

    private final List<String> containers = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();

    /** One run's labelled network, volume and running container, as ProxyStage would have left them. */
    private record Run(String id, String container, String network, String volume) {
    }

    @BeforeAll
    static void aProcessThatIsGone() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "0").start();
        sleep.waitFor();
        deadPid = sleep.pid();
        assertThat(ProcessHandle.of(deadPid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @AfterEach
    void removeEverythingThisTestMade() {
        for (String id : containers) {
            quietly(() -> docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec());
        }
        for (String id : networks) {
            quietly(() -> docker.removeNetworkCmd(id).exec());
        }
        for (String name : volumes) {
            quietly(() -> docker.removeVolumeCmd(name).exec());
        }
    }

    @Test
    void sweepOrphansRemovesTheRunsOfGoneJvmsAndKeepsLiveOnes() {
        Run dead = createRun(thisHost, deadPid);
        Run live = createRun(thisHost, thisPid);
        assertThat(docker.inspectContainerCmd(dead.container()).exec().getState().getRunning()).isTrue();

        SweepReport report = sweeper.sweepOrphans();

        assertGone(dead);
        assertPresent(live);
        assertThat(report.runs()).contains(new SweepReport.Run(dead.id(), "pid " + deadPid + " gone"))
                .extracting(SweepReport.Run::id).doesNotContain(live.id());
        assertThat(report.containers()).contains(dead.container()).doesNotContain(live.container());
        assertThat(report.networks()).contains(dead.network()).doesNotContain(live.network());
        assertThat(report.volumes()).contains(dead.volume()).doesNotContain(live.volume());
        // Other runs' leftovers on a shared engine may have problems of their own; ours must have none.
        assertThat(report.problems()).noneMatch(p -> p.contains(dead.id()) || p.contains(live.id()));
        assertThat(report.toString()).contains(dead.id() + " (pid " + deadPid + " gone)");

        assertThat(ownedBy(sweeper.sweepOrphans(), live, dead)).as("a second sweep finds nothing of ours").isEmpty();

        SweepReport cleanup = sweeper.sweepRun(live.id());

        assertGone(live);
        assertThat(cleanup.runs()).containsExactly(new SweepReport.Run(live.id(), "pid " + thisPid + " alive"));
        assertThat(cleanup.containers()).containsExactly(live.container());
        assertThat(cleanup.networks()).containsExactly(live.network());
        assertThat(cleanup.volumes()).containsExactly(live.volume());
        assertThat(cleanup.problems()).isEmpty();
        assertThat(sweeper.sweepRun(live.id()).isEmpty()).as("sweeping a swept run again").isTrue();
    }

    @Test
    void runsOfAnotherHostAreKeptUnlessNamed() {
        Run elsewhere = createRun("elsewhere-" + randomId(), deadPid);

        SweepReport report = sweeper.sweepOrphans();

        assertPresent(elsewhere);
        assertThat(ownedBy(report, elsewhere)).isEmpty();

        SweepReport named = sweeper.sweepRun(elsewhere.id());

        assertGone(elsewhere);
        assertThat(named.containers()).containsExactly(elsewhere.container());
        assertThat(named.networks()).containsExactly(elsewhere.network());
        assertThat(named.volumes()).containsExactly(elsewhere.volume());
    }

    @Test
    void sweepStageTakesThisHostsRunsOfTheStageButLiveOnesAndOtherHostsUnlessIncluded() {
        Run dead = createRun(thisHost, deadPid);
        Run elsewhere = createRun("elsewhere-" + randomId(), deadPid);
        Run live = createRun(thisHost, thisPid);

        SweepReport down = sweeper.sweepStage(Optional.of(stage), false);

        assertGone(dead);
        assertPresent(elsewhere);
        assertPresent(live);
        // Another build's start-up sweep on this host may take the dead run first.
        assertThat(down.runs()).extracting(SweepReport.Run::id).isSubsetOf(dead.id());
        assertThat(down.containers()).isSubsetOf(dead.container());
        assertThat(down.problems()).isEmpty();

        SweepReport forced = sweeper.sweepStage(Optional.of(stage), true);

        assertGone(live);
        assertGone(elsewhere);
        assertThat(forced.runs()).extracting(SweepReport.Run::id).containsExactlyInAnyOrder(live.id(), elsewhere.id());
        assertThat(forced.volumes()).containsExactlyInAnyOrder(live.volume(), elsewhere.volume());
    }

    // --- helpers ---

    private Run createRun(String host, long pid) {
        String runId = randomId();
        Map<String, String> labels = Map.of(Labels.RUN, runId, Labels.STAGE, stage, Labels.PID, Long.toString(pid),
                Labels.HOST, host);

        String networkName = "nginx-rp-network-" + stage + "-" + runId;
        String networkId = docker.createNetworkCmd().withName(networkName).withDriver("bridge").withLabels(labels).exec().getId();
        networks.add(networkId);

        String volumeName = "data-" + stage + "-" + runId;
        docker.createVolumeCmd().withName(volumeName).withLabels(labels).exec();
        volumes.add(volumeName);

        String containerName = "nginx-rp-" + stage + "-" + runId;
        String containerId = docker.createContainerCmd(IMAGE)
                .withName(containerName)
                .withLabels(Labels.with(labels, Labels.ROLE, "nginx"))
                .withCmd("sleep", "300")
                .withHostConfig(HostConfig.newHostConfig()
                        .withNetworkMode(networkName)
                        .withBinds(new Bind(volumeName, new Volume("/data"))))
                .exec()
                .getId();
        containers.add(containerId);
        docker.startContainerCmd(containerId).exec();
        return new Run(runId, containerName, networkName, volumeName);
    }

    /** The part of {@code report} that concerns these runs (other builds' orphans on this engine may be in it too). */
    private static List<String> ownedBy(SweepReport report, Run... runs) {
        List<String> ours = new ArrayList<>();
        for (Run run : runs) {
            report.runs().stream().filter(r -> r.id().equals(run.id())).forEach(r -> ours.add(r.toString()));
            if (report.containers().contains(run.container())) {
                ours.add(run.container());
            }
            if (report.networks().contains(run.network())) {
                ours.add(run.network());
            }
            if (report.volumes().contains(run.volume())) {
                ours.add(run.volume());
            }
        }
        return ours;
    }

    private void assertGone(Run run) {
        assertThat(exists(() -> docker.inspectContainerCmd(run.container()).exec())).as("container %s", run.container()).isFalse();
        assertThat(exists(() -> docker.inspectNetworkCmd().withNetworkId(run.network()).exec())).as("network %s", run.network()).isFalse();
        assertThat(exists(() -> docker.inspectVolumeCmd(run.volume()).exec())).as("volume %s", run.volume()).isFalse();
    }

    private void assertPresent(Run run) {
        assertThat(docker.inspectContainerCmd(run.container()).exec().getState().getRunning()).as("container %s running", run.container()).isTrue();
        assertThat(exists(() -> docker.inspectNetworkCmd().withNetworkId(run.network()).exec())).as("network %s", run.network()).isTrue();
        assertThat(exists(() -> docker.inspectVolumeCmd(run.volume()).exec())).as("volume %s", run.volume()).isTrue();
    }

    private static boolean exists(Runnable inspect) {
        try {
            inspect.run();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static void quietly(Runnable removal) {
        try {
            removal.run();
        } catch (RuntimeException alreadyGoneOrNotOurs) {
            // cleanup goes on with the rest
        }
    }

    private static String randomId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }
}
