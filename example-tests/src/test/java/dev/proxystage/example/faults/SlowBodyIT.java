package dev.proxystage.example.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recipe: the backend's answer trickles in. Its header arrives within nginx's {@code proxy_read_timeout}, and then
 * the timeout is the time between two reads of the body: a few bytes keep arriving, so nginx waits and passes them
 * on, and it is the client's own timeout that ends the request.
 */
class SlowBodyIT extends CookbookStage {

    // tag::slow-body[]
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app", "web"})
    void aTricklingAnswerRunsIntoTheClientsTimeoutNotNginxs(String backend, Stage stage, StageClient client) {
        // A body of some kilobytes: web's 64 KiB file; the echo backend's report of a request with a long header.
        Request request = backend.equals("web") ? new Request.Builder().url("http://web.example.com/big").build()
                : new Request.Builder().url("http://app.example.com/").header("X-Padding", "x".repeat(6000)).build();
        StageClient impatient = client.customize(http -> http.callTimeout(Duration.ofSeconds(3)));

        try (ActiveFault trickle = stage.backend(backend).orElseThrow().fault(Fault.throttle(1000))) {
            assertThatThrownBy(() -> impatient.send(request))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("timeout");
        }
        assertThat(impatient.send(request)).hasStatus(200).wasRoutedTo(backend);
    }
    // end::slow-body[]
}
