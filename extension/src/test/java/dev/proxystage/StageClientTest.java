package dev.proxystage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.echo.EchoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's routing, against a local echo backend standing in for nginx (no Docker). */
class StageClientTest {

    private final List<String> sent = new ArrayList<>();
    private final StageClient.Traces recording = new StageClient.Traces() {
        @Override
        public void sent(String requestId, String method, String url) {
            sent.add(method + " " + url + " " + requestId);
        }

        @Override
        public Optional<RoutingTrace> await(String requestId, Duration wait) {
            return Optional.empty();
        }
    };
    private ServerSocket web;
    private ServerSocket api;

    @BeforeEach
    void start() throws IOException {
        web = EchoServer.start(0, Map.of("PROXYSTAGE_STAGE", "prep", "PROXYSTAGE_ALIAS", "web"));
        api = EchoServer.start(0, Map.of("PROXYSTAGE_STAGE", "prep", "PROXYSTAGE_ALIAS", "api"));
    }

    @AfterEach
    void stop() throws IOException {
        web.close();
        api.close();
    }

    private StageClient client() {
        return StageClient.connectTo("prep", "127.0.0.1", Map.of(80, web.getLocalPort(), 8443, api.getLocalPort()), recording);
    }

    @Test
    void eachPortGoesToItsPublishedPortAndTheHostHeaderStaysAsWritten() {
        ProxyResponse onWeb = client().get("http://vw.example.com/alive");
        ProxyResponse onApi = client().get("http://api.example.com:8443/v1?x=1");

        assertThat(onWeb.echo().orElseThrow().identity().alias()).isEqualTo("web");
        assertThat(onWeb.echo().orElseThrow().request().headerValues("host")).containsExactly("vw.example.com");
        assertThat(onApi.echo().orElseThrow().identity().alias()).isEqualTo("api");
        assertThat(onApi.echo().orElseThrow().request().headerValues("host")).containsExactly("api.example.com:8443");
        assertThat(onApi.url()).isEqualTo("http://api.example.com:8443/v1?x=1");
        assertThat(onWeb.stage()).isEqualTo("prep");
    }

    @Test
    void everyRequestIsTaggedAndReported() {
        ProxyResponse response = client().get("http://vw.example.com/tagged");

        String id = response.echo().orElseThrow().request().header(StageClient.REQUEST_ID_HEADER).orElseThrow();
        assertThat(sent).containsExactly("GET http://vw.example.com/tagged " + id);
        assertThat(response.trace()).isEmpty();
    }

    @Test
    void aPortNginxDoesNotListenOnIsRefusedWithThePortsItHas() {
        assertThatThrownBy(() -> client().get("http://vw.example.com:9000/"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("GET http://vw.example.com:9000/ through stage 'prep' failed: nginx of stage 'prep' does not "
                        + "listen on port 9000 (its conf.d listens on 80, 8443)")
                .hasRootCauseInstanceOf(ConnectException.class);
    }

    @Test
    void redirectsAreNotFollowed() {
        ProxyResponse redirect = client().get("http://vw.example.com/__echo/status/301");

        assertThat(redirect.status()).isEqualTo(301);
        assertThat(sent).hasSize(1);
    }
}
