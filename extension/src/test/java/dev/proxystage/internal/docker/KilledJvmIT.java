package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.fixtures.FixtureRuns;
import dev.proxystage.fixtures.HoldStage;
import dev.proxystage.fixtures.RoutingFixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** A test JVM killed with SIGKILL leaves its stage behind; the next run's start-up sweep removes it. */
class KilledJvmIT {

    private static final String ROUTING = "src/test/resources/fixtures/routing/pipeline.yml";

    private final DockerClient docker = DockerClientFactory.instance().client();

    @Test
    void theNextRunSweepsWhatAKilledJvmLeftBehind() throws Exception {
        Process victim = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), HoldStage.class.getName(),
                ROUTING, "prep", System.getProperty("proxystage.profile", ""))
                .redirectErrorStream(true)
                .start();
        String runId = null;
        Path caDirectory = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("ready ")) {
                    String[] ready = line.split(" ");
                    runId = ready[1];
                    caDirectory = Path.of(ready[2]);
                    break;
                }
            }
        }
        assertThat(runId).as("the victim JVM brought its stage up").isNotNull();
        victim.destroyForcibly();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resourcesOf(runId)).as("SIGKILL runs no shutdown hook: the stage is left behind").isNotEmpty();
        assertThat(caDirectory).as("and so is its CA directory").isDirectory();

        FixtureRuns.run(ROUTING, Map.of(), RoutingFixtures.SecondPrepClass.class)
                .testEvents().assertStatistics(stats -> stats.succeeded(1));

        assertThat(resourcesOf(runId)).as("swept by the next run").isEmpty();
        assertThat(caDirectory).as("the CA directory too").doesNotExist();
    }

    private List<String> resourcesOf(String runId) {
        Map<String, String> label = Map.of(Labels.RUN, runId);
        List<String> found = new ArrayList<>();
        docker.listContainersCmd().withShowAll(true).withLabelFilter(label).exec().forEach(c -> found.add("container " + c.getNames()[0]));
        docker.listNetworksCmd().withFilter("label", List.of(Labels.RUN + "=" + runId)).exec().forEach(n -> found.add("network " + n.getName()));
        var volumes = docker.listVolumesCmd().withFilter("label", List.of(Labels.RUN + "=" + runId)).exec().getVolumes();
        if (volumes != null) {
            volumes.forEach(v -> found.add("volume " + v.getName()));
        }
        return found;
    }
}
