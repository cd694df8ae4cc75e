package dev.proxystage.example;

// tag::first-test[]
import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.PipelineStage;
import dev.proxystage.StageClient;
import org.junit.jupiter.api.Test;

@PipelineStage("prep")
class FirstTestIT {

    @Test
    void vaultwardenIsRoutedToPrepsBackend(StageClient client) {
        assertThat(client.get("https://vw.example.com/"))
                .hasStatus(200)
                .wasRoutedTo("vaultwarden");
    }

    @Test
    void plainHttpRedirectsToHttps(StageClient client) {
        assertThat(client.get("http://vw.example.com/")).hasStatus(301).redirectsTo("https://vw.example.com/");
    }
}
// end::first-test[]
