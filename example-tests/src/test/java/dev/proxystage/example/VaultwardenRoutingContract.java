package dev.proxystage.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyResponse;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import dev.proxystage.ProxyStageAssertions;
import dev.proxystage.StageWebSocket;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * What every stage must do with the production conf.d. Each subclass names its stage with {@code @PipelineStage};
 * the URLs are production's, unchanged.
 */
abstract class VaultwardenRoutingContract {

    @Test
    void plainHttpIsRedirectedToHttps(StageClient client) {
        assertThat(client.get("http://vw.example.com/#/login?x=1"))
                .hasStatus(301)
                .redirectsTo("https://vw.example.com/");
        assertThat(client.get("http://vw.example.com/api/config?x=1")).redirectsTo("https://vw.example.com/api/config?x=1");
    }

    @Test
    void vaultwardenHostReachesThisStagesBackendOverTls(Stage stage, StageClient client) {
        String requestId = UUID.randomUUID().toString();
        ProxyResponse response = client.send(new Request.Builder()
                .url("https://vw.example.com/")
                .header("X-Request-Id", requestId)
                .build());

        assertThat(response).hasStatus(200).wasRoutedTo("vaultwarden").servedBy().serverName("vw.example.com");
        assertThat(response).servedCertificate().hasSubjectAlternativeName("vw.example.com");
        ProxyStageAssertions.assertThat(stage).hasNoNginxErrors();
        // The request is in this stage's backend log, so it reached this stage's container and no other.
        assertThat(stage.backend("vaultwarden").orElseThrow().logs()).contains(requestId);
    }

    @Test
    void forwardedHeadersAreSet(StageClient client) {
        ProxyResponse response = client.get("https://vw.example.com/api/config?x=1");

        assertThat(response).backendSaw()
                .hasHeader("Host", "vw.example.com")
                .hasHeader("X-Forwarded-Proto", "https")
                .hasHeader("X-Real-IP")
                .hasHeader("X-Forwarded-For")
                .hasUri("/api/config?x=1");
        String realIp = response.echo().orElseThrow().request().header("X-Real-IP").orElseThrow();
        assertThat(realIp).matches("\\d{1,3}(\\.\\d{1,3}){3}").isNotEqualTo(response.echo().orElseThrow().client().address());
    }

    @Test
    void notificationsHubUpgradesToWebSocket(StageClient client) {
        try (StageWebSocket socket = client.openWebSocket("wss://vw.example.com/notifications/hub")) {
            assertThat(socket.awaitOpen(Duration.ofSeconds(10)).code()).isEqualTo(101);

            socket.send("hello from the test");

            assertThat(socket.receive(Duration.ofSeconds(10))).contains("hello from the test");
        }
    }

    @Test
    void unknownHostGetsTheDefaultServer(StageClient client) {
        ProxyResponse response = client.get("http://unknown.example.org/");

        assertThat(response).hasStatus(404);
        assertThat(response.echo()).isEmpty();
    }

    @Test
    void aNameNoCertificateCoversFailsVerification(StageClient client) {
        // nginx answers unknown.example.org with the default server's certificate, which does not name it.
        assertThatThrownBy(() -> client.get("https://unknown.example.org/"))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(SSLPeerUnverifiedException.class);
    }
}
