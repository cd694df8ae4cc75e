package dev.proxystage.internal.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Telling a running {@code up} from a test JVM by its command line. */
class UpProcessesTest {

    @Test
    void mainClassFollowedByUp() {
        assertThat(UpProcesses.isUp(List.of("-cp", "a.jar:b.jar", "dev.proxystage.cli.Main", "up", "--stage", "prep"))).isTrue();
        assertThat(UpProcesses.isUp(List.of("-Dx=y", "dev.proxystage.cli.Main", "--verbose", "up"))).isTrue();
    }

    @Test
    void jarFollowedByUp() {
        assertThat(UpProcesses.isUp(List.of("-jar", "cli/target/proxystage-cli.jar", "up", "--config", "p.yml"))).isTrue();
    }

    @Test
    void otherCommandsAndTestJvmsAreNotUps() {
        assertThat(UpProcesses.isUp(List.of("-jar", "proxystage-cli.jar", "down", "--stage", "up"))).isFalse();
        assertThat(UpProcesses.isUp(List.of("dev.proxystage.cli.Main", "check", "up"))).isFalse();
        assertThat(UpProcesses.isUp(List.of("-jar", "/tmp/surefire/surefirebooter.jar", "/tmp/surefire", "2026"))).isFalse();
        assertThat(UpProcesses.isUp(List.of("-cp", "x", "org.apache.maven.surefire.booter.ForkedBooter", "up"))).isFalse();
        assertThat(UpProcesses.isUp(List.of())).isFalse();
    }
}
