package dev.proxystage.example;

// tag::matrix[]
import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ForEachStage;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;

/**
 * The same routing in every test stage, one invocation per stage. {@code -Dproxystage.stages=prep} narrows it to one
 * stage for a per-stage CI job.
 */
class StageMatrixIT {

    @ForEachStage({"wip", "prep", "ship"})
    void vaultwardenIsRoutedToTheStagesOwnBackend(Stage stage, StageClient client) {
        assertThat(client.get("https://vw.example.com/alive"))
                .hasStatus(200)
                .wasRoutedTo("vaultwarden")
                .servedBy().serverName("vw.example.com");
        assertThat(stage.backend("vaultwarden").orElseThrow().containerName()).startsWith("vaultwarden-" + stage.name() + "-");
    }

    @ForEachStage({"wip", "prep", "ship"})
    void plainHttpIsAnsweredByNginxItself(StageClient client) {
        assertThat(client.get("http://vw.example.com/")).hasStatus(301).wasAnsweredByNginx();
    }
}
// end::matrix[]
