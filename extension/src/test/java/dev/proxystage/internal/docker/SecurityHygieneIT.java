package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.fixtures.FixtureRuns;
import dev.proxystage.fixtures.SecurityFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The extension's own hygiene, inspected on a running stage. */
class SecurityHygieneIT {

    @Test
    void aStageExposesNothingBeyondLoopbackAndItsCaIsGoneAfterTheRun() throws Exception {
        SecurityFixtures.CA_DIRECTORIES.clear();

        FixtureRuns.run("../example-tests/pipeline.yml", Map.of(), SecurityFixtures.Hygiene.class)
                .testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));

        assertThat(SecurityFixtures.CA_DIRECTORIES).as("the run's CA directory").hasSize(1)
                .allSatisfy(dir -> assertThat(dir).as("deleted after the run").doesNotExist());
    }
}
