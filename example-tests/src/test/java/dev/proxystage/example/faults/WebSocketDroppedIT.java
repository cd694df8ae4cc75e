package dev.proxystage.example.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import dev.proxystage.StageWebSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Recipe: the WebSocket hub goes away under an open socket. nginx passes the upgraded connection through, so the
 * backend's end becomes the client's: the client sees its socket close. (The echo backend only: none of the
 * offline images speaks WebSocket.)
 */
class WebSocketDroppedIT extends CookbookStage {

    @Test
    void theHubGoingDownClosesTheClientsWebSocket(Stage stage, StageClient client) {
        // tag::websocket[]
        try (StageWebSocket socket = client.openWebSocket("ws://app.example.com/hub")) {
            socket.awaitOpen(Duration.ofSeconds(10));
            assertThat(socket.send("ping").receive(Duration.ofSeconds(5))).contains("ping");

            try (ActiveFault down = stage.backend("app").orElseThrow().fault(Fault.down())) {
                assertThat(socket.awaitClosed(Duration.ofSeconds(10))).startsWith("the connection broke");
            }
        }
        // end::websocket[]
        try (StageWebSocket again = client.openWebSocket("ws://app.example.com/hub")) {
            again.awaitOpen(Duration.ofSeconds(10));
            assertThat(again.send("pong").receive(Duration.ofSeconds(5))).contains("pong");
        }
    }
}
