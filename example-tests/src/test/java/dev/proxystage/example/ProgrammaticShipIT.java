package dev.proxystage.example;

// tag::programmatic[]
import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyStageExtension;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension registered programmatically, bound to ship, instead of the annotation. */
class ProgrammaticShipIT {

    @RegisterExtension
    static ProxyStageExtension ship = ProxyStageExtension.forStage("ship").build();

    @Test
    void routedOnShip(Stage stage, StageClient client) {
        assertThat(stage.name()).isEqualTo("ship");
        assertThat(client.get("https://vw.example.com/")).hasStatus(200).wasRoutedTo("vaultwarden");
    }
}
// end::programmatic[]
