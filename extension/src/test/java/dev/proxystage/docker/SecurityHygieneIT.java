package dev.proxystage.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.fixtures.SecurityFixtures;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension's own hygiene, inspected on a running stage. */
class SecurityHygieneIT {

    @Test
    void aStageExposesNothingBeyondLoopbackAndItsCaIsGoneAfterTheRun() throws Exception {
        SecurityFixtures.CA_DIRECTORIES.clear();

        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", "../example-tests/pipeline.yml")
                .configurationParameter("proxystage.profile", System.getProperty("proxystage.profile", ""))
                .selectors(DiscoverySelectors.selectClass(SecurityFixtures.Hygiene.class))
                .execute()
                .testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));

        assertThat(SecurityFixtures.CA_DIRECTORIES).as("the run's CA directory").hasSize(1)
                .allSatisfy(dir -> assertThat(dir).as("deleted after the run").doesNotExist());
    }
}
