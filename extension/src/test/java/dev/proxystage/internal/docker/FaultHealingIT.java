package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.fixtures.FaultFixtures;
import dev.proxystage.fixtures.FixtureRuns;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** What a failing test leaves in force is healed before the next test, and nothing of the run outlives it. */
class FaultHealingIT {

    @Test
    void aFailingTestsFaultsAreHealedBeforeTheNextTestAndTheRunLeavesNothingBehind() {
        EngineExecutionResults results = FixtureRuns.run("src/test/resources/fixtures/faults/pipeline.yml", Map.of(),
                FaultFixtures.LeavesFaultsAndFails.class);

        results.testEvents().assertStatistics(s -> s.started(2).failed(1).succeeded(1));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("failsWithFaultsInForce"),
                finishedWithFailure(message(m -> m.contains("expected status 200 but got 504")))));

        DockerClient docker = DockerEngine.at(EngineEndpoint.decide(EngineEndpoint.World.system(), Optional.empty())).client();
        String runId = FaultFixtures.runId;
        assertThat(runId).isNotNull();
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.RUN, runId)).exec())
                .as("no container of the run: backends, fault proxies, placeholders").isEmpty();
        assertThat(docker.listNetworksCmd().exec()).noneMatch(n -> n.getName().endsWith("-" + runId));
        assertThat(Optional.ofNullable(docker.listVolumesCmd().exec().getVolumes()).orElse(List.of())).noneMatch(v -> v.getName().endsWith("-" + runId));
    }
}
