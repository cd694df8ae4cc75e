package dev.proxystage.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.PipelineStage;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import org.junit.jupiter.api.Test;

/**
 * Validates whichever stage the run selects: {@code mvn verify -Dproxystage.stage=ship}, or pipeline.yml's
 * defaultStage when none is given.
 */
@PipelineStage
class SelectedStageIT {

    @Test
    void selectedStageServesVaultwarden(Stage stage, StageClient client) {
        String expected = System.getProperty("proxystage.stage", "").isBlank() ? "prep" : System.getProperty("proxystage.stage");
        assertThat(stage.name()).isEqualTo(expected);

        assertThat(client.get("https://vw.example.com/alive")).hasStatus(200).wasRoutedTo("vaultwarden");
    }
}
