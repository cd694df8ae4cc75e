package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.fixtures.ExplainFixtures;
import dev.proxystage.fixtures.FixtureRuns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.testcontainers.DockerClientFactory;

/** A real conf.d bug (two Host headers) found by the strict echo backend and explained by the failure message. */
class ExplainedFailureIT {

    private static final String EXPLAIN = "src/test/resources/fixtures/explain/pipeline.yml";

    private final DockerClient docker = DockerClientFactory.instance().client();

    @AfterEach
    void nothingIsLeftBehind() {
        String pid = Long.toString(ProcessHandle.current().pid());
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.PID, pid)).exec()).isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of(Labels.PID + "=" + pid)).exec()).isEmpty();
    }

    @Test
    void twoHostHeadersFailWithTheEchosReasonTheSnippetAndTheAppFile() {
        EngineExecutionResults results = FixtureRuns.run(EXPLAIN, Map.of(), ExplainFixtures.DoubleHost.class,
                ExplainFixtures.SingleHostAndApiPort.class);

        results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
        Throwable failure = results.testEvents().failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected status 200 but got 400 for GET http://app.example.com/ → 400")
                .hasMessageContaining("\n  the backend answered 400, nginx passed it on: echo backend app@prep refused "
                        + "the request: 2 Host headers (app.example.com, app.example.com); RFC 9112 \u00a73.2 allows one")
                .hasMessageMatching("(?s).*\n  route: GET http://app.example.com/ → server app.example.com "
                        + "\\(\\S*fixtures/explain/conf.d/app.conf:1, includes \\S*fixtures/explain/snippets/proxy.conf\\) "
                        + "→ [0-9.]+:80 = app@prep, upstream 400 \\(\\d+ ms\\).*");
    }
}
