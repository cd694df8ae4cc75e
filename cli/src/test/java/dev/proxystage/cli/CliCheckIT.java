package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.docker.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** {@code check --nginx-test}: nginx -t in the stage's (offline) nginx image, reported at the host file and line. */
class CliCheckIT {

    @Test
    void nginxTestReportsNginxsMessageAtTheHostFileAndLine() {
        CliRun run = CliRun.check("nginx-t", "--profile", "offline", "--stage", "prep", "--nginx-test");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly(CliRun.shown(CliRun.fixture("nginx-t").resolve("conf.d/site.conf"))
                + ":7: nginx -t: unknown directive \"proxy_buffer_sise\"");
        assertThat(nginxTestContainers()).isEmpty();
    }

    @Test
    void nginxTestPassesAGoodTreeWithItsCertificates() {
        CliRun run = CliRun.check("good", "--profile", "offline", "--nginx-test");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out()).isEmpty();
        assertThat(nginxTestContainers()).isEmpty();
    }

    /** nginx -t containers of this JVM still on the engine. */
    private static List<String> nginxTestContainers() {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withFilter("label", List.of(Labels.ROLE + "=nginx-test", Labels.PID + "=" + ProcessHandle.current().pid()))
                .exec().stream().map(c -> c.getNames()[0]).toList();
    }
}
