package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.docker.Ownership.Process;
import dev.proxystage.internal.docker.Ownership.ProcessTable;
import dev.proxystage.internal.docker.Ownership.State;
import dev.proxystage.internal.docker.Sweeper.Scope;
import dev.proxystage.internal.docker.Sweeper.SweepReport;
import dev.proxystage.internal.engine.Cleanup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The sweeper's decisions, without Docker: who owns a run, which runs a sweep takes, and what the report says. */
class SweeperTest {

    private static final String HERE = "build-host";
    private static final long PID = 4242;

    private static Map<String, String> owner(String host, String pid) {
        Map<String, String> labels = new HashMap<>();
        labels.put(Labels.RUN, "1a2b3c4d");
        if (host != null) {
            labels.put(Labels.HOST, host);
        }
        if (pid != null) {
            labels.put(Labels.PID, pid);
        }
        return labels;
    }

    private static ProcessTable only(long pid, Process process) {
        return candidate -> candidate == pid ? process : Process.DEAD;
    }

    private static Ownership judge(Map<String, String> labels, ProcessTable processes) {
        return Ownership.judge(labels, HERE, processes);
    }

    @Nested
    class Ownerships {

        @Test
        void aRunOfThisHostWhosePidIsDeadIsAnOrphan() {
            Ownership owner = judge(owner(HERE, "4242"), pid -> Process.DEAD);

            assertThat(owner.state()).isEqualTo(State.GONE);
            assertThat(owner.isOrphan()).isTrue();
            assertThat(owner).hasToString("pid 4242 gone");
        }

        @Test
        void aRunWhoseJvmIsAliveIsLive() {
            Ownership owner = judge(owner(HERE, "4242"),
                    only(PID, Process.alive(Optional.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java"))));

            assertThat(owner.state()).isEqualTo(State.LIVE);
            assertThat(owner.isOrphan()).isFalse();
            assertThat(owner).hasToString("pid 4242 alive");
        }

        @Test
        void windowsJvmsCountAsJvms() {
            assertThat(judge(owner(HERE, "4242"), only(PID, Process.alive(Optional.of("C:\\Program Files\\Java\\bin\\java.exe"))))
                    .state()).isEqualTo(State.LIVE);
            assertThat(judge(owner(HERE, "4242"), only(PID, Process.alive(Optional.of("C:\\jdk\\bin\\javaw.exe"))))
                    .state()).isEqualTo(State.LIVE);
        }

        @Test
        void aPidReusedByAProcessThatIsNotAJvmCountsAsGone() {
            Ownership owner = judge(owner(HERE, "4242"), only(PID, Process.alive(Optional.of("/usr/bin/sleep"))));

            assertThat(owner.state()).isEqualTo(State.REUSED);
            assertThat(owner.isOrphan()).isTrue();
            assertThat(owner).hasToString("pid 4242 gone, reused by sleep");
        }

        @Test
        void aCommandThatOnlyEndsInJavaIsNoJvm() {
            assertThat(Ownership.isJvm("/opt/tools/notjava")).isFalse();
            assertThat(Ownership.isJvm("/usr/bin/java")).isTrue();
            assertThat(Ownership.isJvm("java")).isTrue();
        }

        @Test
        void anAlivePidWhoseCommandCannotBeSeenIsLeftAlone() {
            Ownership owner = judge(owner(HERE, "4242"), only(PID, Process.alive(Optional.empty())));

            assertThat(owner.state()).isEqualTo(State.LIVE);
            assertThat(owner.isOrphan()).isFalse();
        }

        @Test
        void aRunOfAnotherHostIsNeverAnOrphanAndItsPidIsNotLookedUp() {
            AtomicInteger lookups = new AtomicInteger();
            Ownership owner = judge(owner("ci-runner-7", "4242"), pid -> {
                lookups.incrementAndGet();
                return Process.DEAD;
            });

            assertThat(owner.state()).isEqualTo(State.OTHER_HOST);
            assertThat(owner.isOrphan()).isFalse();
            assertThat(owner).hasToString("pid 4242 on host ci-runner-7");
            assertThat(lookups).hasValue(0);
        }

        @Test
        void aRunWithoutOwnerLabelsIsNeverAnOrphan() {
            ProcessTable nothingAlive = pid -> Process.DEAD;

            assertThat(judge(owner(null, "4242"), nothingAlive).state()).isEqualTo(State.UNKNOWN);
            assertThat(judge(owner(HERE, null), nothingAlive).state()).isEqualTo(State.UNKNOWN);
            assertThat(judge(owner(HERE, "not-a-pid"), nothingAlive).state()).isEqualTo(State.UNKNOWN);
            assertThat(judge(owner(HERE, "0"), nothingAlive).state()).isEqualTo(State.UNKNOWN);
            assertThat(judge(owner(HERE, "-5"), nothingAlive).isOrphan()).isFalse();
        }

        @Test
        void aRunNamingSeveralOwnersIsAnOrphanOnlyWhenAllAreGone() {
            Ownership gone = judge(owner(HERE, "1"), pid -> Process.DEAD);
            Ownership reused = judge(owner(HERE, "2"), pid -> Process.alive(Optional.of("/bin/bash")));
            Ownership live = judge(owner(HERE, "3"), pid -> Process.alive(Optional.of("/usr/bin/java")));
            Ownership elsewhere = judge(owner("other", "4"), pid -> Process.DEAD);

            assertThat(Ownership.combine(List.of(gone, reused)).isOrphan()).isTrue();
            assertThat(Ownership.combine(List.of(gone, elsewhere)).state()).isEqualTo(State.OTHER_HOST);
            assertThat(Ownership.combine(List.of(gone, live, elsewhere)).state()).isEqualTo(State.LIVE);
        }

        @Test
        void thisJvmIsLiveAndAFinishedProcessIsGoneOnTheRealProcessTable() throws Exception {
            String here = Sweeper.thisHostName();
            java.lang.Process sleep = new ProcessBuilder("sleep", "0").start();
            sleep.waitFor();

            Ownership self = Ownership.judge(owner(here, Long.toString(ProcessHandle.current().pid())), here, ProcessTable.SYSTEM);
            Ownership finished = Ownership.judge(owner(here, Long.toString(sleep.pid())), here, ProcessTable.SYSTEM);

            assertThat(self.state()).isEqualTo(State.LIVE);
            assertThat(finished.isOrphan()).isTrue();
        }

        @Test
        void theSweeperComputesTheHostNameAsTheLabelsDo() {
            assertThat(Sweeper.thisHostName()).isEqualTo(Labels.forStage("1a2b3c4d", "prep").get(Labels.HOST));
        }
    }

    @Nested
    class Scopes {

        private final Ownership gone = judge(owner(HERE, "1"), pid -> Process.DEAD);
        private final Ownership reused = judge(owner(HERE, "2"), pid -> Process.alive(Optional.of("/usr/bin/sleep")));
        private final Ownership live = judge(owner(HERE, "3"), pid -> Process.alive(Optional.of("/usr/bin/java")));
        private final Ownership elsewhere = judge(owner("other", "4"), pid -> Process.DEAD);
        private final Ownership unknown = judge(owner(null, null), pid -> Process.DEAD);

        @Test
        void orphanSweepsTakeOnlyRunsWhoseJvmIsGoneFromThisHost() {
            assertThat(List.of(gone, reused, live, elsewhere, unknown)).filteredOn(Scope.ORPHANS::takes)
                    .containsExactly(gone, reused);
        }

        @Test
        void aDeliberateDownTakesThisHostsRunsButLiveOnesAndLeavesOtherHostsAlone() {
            assertThat(List.of(gone, reused, live, elsewhere, unknown)).filteredOn(Scope.THIS_HOST_BUT_LIVE::takes)
                    .containsExactly(gone, reused, unknown);
            assertThat(List.of(gone, reused, live, elsewhere, unknown)).filteredOn(Scope.EVERYTHING::takes)
                    .containsExactly(gone, reused, live, elsewhere, unknown);
        }
    }

    @Nested
    class Reports {

        private final SweepReport prep = new SweepReport(List.of(new SweepReport.Run("1a2b3c4d", "pid 4242 gone")),
                List.of("nginx-rp-prep-1a2b3c4d", "admin-prep-1a2b3c4d", "vaultwarden-prep-1a2b3c4d"),
                List.of("nginx-rp-network-prep-1a2b3c4d"), List.of("vaultwarden-prep-1a2b3c4d"), List.of());

        @Test
        void aSweptRunReadsAsOneLine() {
            assertThat(prep).hasToString("swept run 1a2b3c4d (pid 4242 gone): 3 containers (nginx-rp-prep-1a2b3c4d, "
                    + "admin-prep-1a2b3c4d, vaultwarden-prep-1a2b3c4d), 1 network, 1 volume");
            assertThat(prep.isEmpty()).isFalse();
        }

        @Test
        void severalRunsAreOneLineTooAndLongNameListsAreAbbreviated() {
            SweepReport wip = new SweepReport(List.of(new SweepReport.Run("5e6f", "pid 17 gone, reused by sleep")),
                    List.of("nginx-rp-wip-5e6f"), List.of("nginx-rp-network-wip-5e6f"), List.of(), List.of());

            assertThat(prep.plus(wip)).hasToString("swept runs 1a2b3c4d (pid 4242 gone), 5e6f (pid 17 gone, reused by sleep): "
                    + "4 containers (nginx-rp-prep-1a2b3c4d, admin-prep-1a2b3c4d, vaultwarden-prep-1a2b3c4d, …), 2 networks, 1 volume");
        }

        @Test
        void problemsAreReportedAndMakeAReportNonEmpty() {
            SweepReport stuck = new SweepReport(List.of(new SweepReport.Run("1a2b3c4d", "pid 4242 gone")),
                    List.of(), List.of(), List.of(), List.of("remove volume data-prep-1a2b3c4d: volume is in use"));

            assertThat(stuck.isEmpty()).isFalse();
            assertThat(stuck).hasToString("swept run 1a2b3c4d (pid 4242 gone): nothing removed; 1 problem: "
                    + "remove volume data-prep-1a2b3c4d: volume is in use");
        }

        @Test
        void anEmptyReportSaysSo() {
            assertThat(SweepReport.empty().isEmpty()).isTrue();
            assertThat(SweepReport.empty().plus(SweepReport.empty()).isEmpty()).isTrue();
            assertThat(SweepReport.empty()).hasToString("nothing to sweep");
        }

        @Test
        void downGetsEveryRunAndNameOfTheReport() {
            SweepReport report = new SweepReport(List.of(new SweepReport.Run("1a2b3c4d", "pid 4242 gone")),
                    List.of("nginx-rp-prep-1a2b3c4d"), List.of("nginx-rp-network-prep-1a2b3c4d"),
                    List.of("vaultwarden-prep-1a2b3c4d"), List.of("remove volume x: in use"));

            assertThat(DockerStageEngine.cleanup(report)).isEqualTo(new Cleanup(List.of("1a2b3c4d (pid 4242 gone)"),
                    List.of("nginx-rp-prep-1a2b3c4d"), List.of("nginx-rp-network-prep-1a2b3c4d"),
                    List.of("vaultwarden-prep-1a2b3c4d"), List.of("remove volume x: in use")));
        }
    }
}
