package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.fixtures.CoverageFixtures;
import dev.proxystage.fixtures.FixtureRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * The coverage gate on a real stage: with {@code proxystage.coverage.minimum}, a suite that leaves locations unreached
 * fails once the stage is done (its tests pass), listing them by file:line; one that reaches them all passes. Each
 * run writes target/proxystage/coverage.json.
 */
class CoverageGateIT {

    private static final String PIPELINE = "src/test/resources/fixtures/coverage/pipeline.yml";
    private static final Path REPORT = Path.of("target/proxystage/coverage.json");

    @Test
    void aSuiteThatLeavesLocationsUnreachedFailsListingThem() throws IOException {
        EngineExecutionResults results = FixtureRuns.run(PIPELINE, Map.of("proxystage.coverage.minimum", "90"),
                CoverageFixtures.LeavesSome.class);

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        Throwable failure = failed.get(0).getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("conf.d coverage of stage prep is 25%, below proxystage.coverage.minimum=90%:"
                        + " 3 of 4 locations were never reached:")
                .hasMessageContaining("\n  conf.d/app.conf:9 location /api/ (server app.example.com)")
                .hasMessageContaining("\n  conf.d/app.conf:13 location = /health (server app.example.com)")
                .hasMessageContaining("\n  conf.d/app.conf:17 location /admin/ (server app.example.com)");

        JsonNode stage = new ObjectMapper().readTree(REPORT.toFile()).path("stages").get(0);
        assertThat(stage.path("stage").asText()).isEqualTo("prep");
        assertThat(stage.path("percent").asDouble()).isEqualTo(25.0);
        assertThat(stage.path("locations").get(0).path("file").asText()).isEqualTo("conf.d/app.conf");
        assertThat(stage.path("locations").get(0).path("hits").asInt()).isEqualTo(1);
    }

    @Test
    void aSuiteThatReachesEveryLocationPasses() throws IOException {
        EngineExecutionResults results = FixtureRuns.run(PIPELINE, Map.of("proxystage.coverage.minimum", "100"),
                CoverageFixtures.ReachesAll.class);

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
        assertThat(results.containerEvents().failed().list()).isEmpty();
        JsonNode stage = new ObjectMapper().readTree(Files.readString(REPORT)).path("stages").get(0);
        assertThat(stage.path("percent").asDouble()).isEqualTo(100.0);
        assertThat(stage.path("servers").get(0).path("hits").asInt()).isEqualTo(4);
    }
}
