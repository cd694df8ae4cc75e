package dev.proxystage.example;

// tag::isolation[]
import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.PipelineStage;
import dev.proxystage.Stage;
import org.junit.jupiter.api.Test;

/** wip and prep run side by side, and neither can see the other's backends. */
@PipelineStage("wip")
class StageIsolationIT {

    @Test
    void wipAndPrepCannotReachEachOther(Stage wip, @PipelineStage("prep") Stage prep) {
        wip.assertIsolatedFrom(prep);
        prep.assertIsolatedFrom(wip);
    }

    @Test
    void eachStageHasItsOwnNetworkAndData(Stage wip, @PipelineStage("prep") Stage prep) {
        assertThat(wip.networkName()).startsWith("nginx-rp-network-wip-");
        assertThat(prep.networkName()).startsWith("nginx-rp-network-prep-");
        assertThat(wip.backend("vaultwarden").orElseThrow().dataVolume())
                .isNotEqualTo(prep.backend("vaultwarden").orElseThrow().dataVolume());
    }
}
// end::isolation[]
