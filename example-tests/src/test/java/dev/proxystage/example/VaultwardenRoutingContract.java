package dev.proxystage.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyResponse;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.util.UUID;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * What every stage must do with conf.d/vaultwarden.conf. Each subclass names its stage with
 * {@code @PipelineStage}; the URLs are production's, unchanged.
 */
abstract class VaultwardenRoutingContract {

    @Test
    void vaultwardenHostReachesThisStagesBackend(Stage stage, StageClient client) {
        String requestId = UUID.randomUUID().toString();
        ProxyResponse response = client.send(new Request.Builder()
                .url("http://vw.example.com/")
                .header("X-Request-Id", requestId)
                .build());

        assertThat(response).hasStatus(200).wasRoutedTo("vaultwarden");
        // The request is in this stage's backend log, so it reached this stage's container and no other.
        assertThat(stage.backend("vaultwarden").orElseThrow().logs()).contains(requestId);
    }

    @Test
    void hostHeaderIsForwardedUnchanged(StageClient client) {
        assertThat(client.get("http://vw.example.com/api/config?x=1"))
                .backendSaw()
                .hasHeader("Host", "vw.example.com")
                .hasUri("/api/config?x=1");
    }

    @Test
    void realClientAddressIsForwarded(StageClient client) {
        ProxyResponse response = client.get("http://vw.example.com/");

        assertThat(response).backendSaw().hasHeader("X-Real-IP");
        assertThat(response.echo().orElseThrow().request().header("X-Real-IP").orElseThrow())
                .matches("\\d{1,3}(\\.\\d{1,3}){3}")
                .isNotEqualTo(response.echo().orElseThrow().client().address());
    }

    @Test
    void unknownHostGetsTheDefaultServer(StageClient client) {
        ProxyResponse response = client.get("http://unknown.example.org/");

        assertThat(response).hasStatus(404);
        assertThat(response.echo()).isEmpty();
    }
}
