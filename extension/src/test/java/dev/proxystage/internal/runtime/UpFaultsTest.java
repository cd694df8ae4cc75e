package dev.proxystage.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.Fault;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.engine.LiveRun;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which running {@code up} {@code fault} and {@code heal} act on, and how they read a fault. */
class UpFaultsTest {

    private static final LiveRun PREP = new LiveRun("1a2b3c4d", "prep", 77, true, List.of("nginx-rp-prep-1a2b3c4d"));
    private static final LiveRun WIP = new LiveRun("5e6f7a8b", "wip", 88, true, List.of("nginx-rp-wip-5e6f7a8b"));
    private static final LiveRun TESTS = new LiveRun("9a8b7c6d", "prep", 99, false, List.of("nginx-rp-prep-9a8b7c6d"));

    @Test
    void theOnlyUpIsTakenWhenNoStageIsNamedAndATestJvmIsNoUp() {
        assertThat(UpFaults.runningUp(List.of(TESTS, PREP), Optional.empty(), "")).isEqualTo(PREP);
        assertThat(UpFaults.runningUp(List.of(PREP, WIP), Optional.of("wip"), "")).isEqualTo(WIP);
    }

    @Test
    void noUpOrSeveralIsOneLineSayingWhatToDo() {
        assertThatThrownBy(() -> UpFaults.runningUp(List.of(TESTS), Optional.of("prep"), "java -jar proxystage-cli.jar"))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("no 'up' of stage prep runs on this machine; start one with: java -jar proxystage-cli.jar up --stage prep");
        assertThatThrownBy(() -> UpFaults.runningUp(List.of(PREP, WIP), Optional.empty(), ""))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("several 'up's run (stages prep, wip); pass --stage <stage>");
    }

    @Test
    void aFaultIsReadAsTheCommandLineWritesIt() {
        assertThat(UpFaults.parse("slow", Optional.of("1500ms"))).isEqualTo(Fault.slow(Duration.ofMillis(1500)));
        assertThat(UpFaults.parse("hang", Optional.empty())).isEqualTo(Fault.hang());
        assertThatThrownBy(() -> UpFaults.parse("sloww", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown fault 'sloww' (known: down, hang, slow <duration>");
    }
}
