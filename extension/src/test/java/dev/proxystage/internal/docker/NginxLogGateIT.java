package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.fixtures.FixtureRuns;
import dev.proxystage.fixtures.NginxLogFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/** The error-log gate on a real nginx: a request that makes nginx log [crit] fails its test, quoting nginx's line. */
class NginxLogGateIT {

    private static final String PIPELINE = "src/test/resources/fixtures/nginx-log/pipeline.yml";

    @Test
    void nginxsCritFailsTheTestThatCausedItAndOnlyThatOne() {
        EngineExecutionResults results = FixtureRuns.run(PIPELINE, Map.of(), NginxLogFixtures.Socket.class);

        results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
        Event failed = results.testEvents().failed().stream().findFirst().orElseThrow();
        assertThat(failed.getTestDescriptor().getDisplayName()).startsWith("aCritFailsTheTest");
        Throwable failure = failed.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("nginx logged 1 line at [alert], [crit] or [emerg] while this test ran on stage"
                        + " prep")
                .hasMessageContaining("[crit]")
                .hasMessageContaining("connect() to unix:/run/nginx-log-fixture.sock failed");
    }
}
