package dev.proxystage.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.fixtures.SecurityFixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension's own hygiene, inspected on a running stage. */
class SecurityHygieneIT {

    @Test
    void aStageExposesNothingBeyondLoopbackAndItsCaIsGoneAfterTheRun() throws Exception {
        List<Path> before = SecurityFixtures.pkiDirectories();

        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", "../example-tests/pipeline.yml")
                .configurationParameter("proxystage.profile", System.getProperty("proxystage.profile", ""))
                .selectors(DiscoverySelectors.selectClass(SecurityFixtures.Hygiene.class))
                .execute()
                .testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));

        assertThat(SecurityFixtures.pkiDirectories()).as("the run's CA directory is deleted").isEqualTo(before);
    }
}
