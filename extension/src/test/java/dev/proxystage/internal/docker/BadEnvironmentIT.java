package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.proxystage.ProxyStageException;
import dev.proxystage.fixtures.FixtureRuns;
import dev.proxystage.fixtures.OutcomeOf;
import dev.proxystage.fixtures.RoutingFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A missing image and a missing Docker engine: each a clear one-line failure, never a hang or a silent skip. */
class BadEnvironmentIT {

    @Test
    void anImageThatCannotBePulledFailsFastNamingItAndTheOfflineProfile() {
        long started = System.nanoTime();
        FixtureRuns.run("src/test/resources/fixtures/missing-image/pipeline.yml", Map.of("proxystage.pullStallTimeout", "5"),
                        RoutingFixtures.SelectedStage.class)
                .containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
                        instanceOf(ProxyStageException.class), message(m -> m.startsWith(
                                "image 'proxystage/never-built:0.0.0' is not present locally and could not be pulled")
                                && m.contains("-Dproxystage.profile=offline")
                                && m.contains("scripts/build-offline-images.sh")))));
        // A registry that does not answer costs the stall timeout, not a retry loop of minutes.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(60);
    }

    @Test
    void noDockerEngineIsAFailureUnlessSkippingWasAskedFor() throws Exception {
        assertThat(outcomeWithoutDocker()).singleElement().asString()
                .startsWith("outcome FAILED no Docker engine answers")
                .contains("-Dproxystage.skipWithoutDocker=true");
        assertThat(outcomeWithoutDocker("proxystage.skipWithoutDocker", "true")).singleElement().asString()
                .startsWith("outcome ABORTED skipped because proxystage.skipWithoutDocker=true and no Docker engine answers");
    }

    /**
     * Runs the fixture in a JVM that cannot reach Docker: in its own mount namespace, the engine's socket is
     * replaced by /dev/null, and DOCKER_HOST points at a closed loopback port.
     */
    private static List<String> outcomeWithoutDocker(String... parameters) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount --bind /dev/null /var/run/docker.sock && exec \"$@\"", "sh",
                ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), OutcomeOf.class.getName(),
                RoutingFixtures.SelectedStage.class.getName(), "src/test/resources/fixtures/routing/pipeline.yml"));
        command.addAll(List.of("proxystage.profile", System.getProperty("proxystage.profile", "")));
        command.addAll(List.of(parameters));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_HOST", "tcp://127.0.0.1:9");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("the fixture JVM ran (unshare needs root)").contains("outcome ");
        return output.lines().filter(line -> line.startsWith("outcome ")).toList();
    }
}
