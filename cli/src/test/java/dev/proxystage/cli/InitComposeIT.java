package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.docker.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * The project init writes from a stack's conf.d and compose file runs as is offline: every route passes in a real
 * stage, through a backend's second host name (its container name), a dotted network alias and fastcgi_pass alike,
 * and no secret has to be set.
 */
class InitComposeIT {

    @TempDir
    Path dir;

    @Test
    void everyRouteOfTheComposeStackPassesOffline() throws IOException {
        Path tree = new InitComposeCommandTest().copyInto(dir);
        CliRun init = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--out", tree.toString());
        assertThat(init.exitCode()).as(init.toString()).isEqualTo(Main.OK);

        CliRun routes = CliRun.of("routes", "--config", tree.resolve("pipeline.yml").toString(), "--stage", "prep",
                "--profile", "offline");

        assertThat(routes.exitCode()).as(routes.toString()).isEqualTo(Main.OK);
        assertThat(routes.outLines()).filteredOn(line -> line.startsWith("PASS ")).hasSize(6);
        assertThat(routes.outLines()).noneMatch(line -> line.startsWith("FAIL "));
        assertThat(DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withFilter("label", List.of(Labels.PID + "=" + ProcessHandle.current().pid())).exec()).isEmpty();
    }
}
