package dev.proxystage.example.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.ProxyResponse;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recipe: the backend hangs (it accepts the connection and never answers). nginx gives up after
 * {@code proxy_read_timeout} (1s in the cookbook's conf.d) and answers 504 itself.
 */
class BackendHangsIT extends CookbookStage {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app", "web"})
    void aHangingBackendIsA504AfterProxyReadTimeout(String backend, Stage stage, StageClient client) {
        // tag::hang[]
        try (ActiveFault hang = stage.backend(backend).orElseThrow().fault(Fault.hang())) {
            ProxyResponse response = client.get("http://" + backend + ".example.com/");

            assertThat(response).hasStatus(504)
                    .answeredByNginx()
                    .nginxLogged("upstream timed out (110: Connection timed out) while reading response header from upstream")
                    .hasBodyContaining("Back in a moment");
            assertThat(response.trace().orElseThrow().upstreamResponseTime().orElseThrow())
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        // end::hang[]
        assertThat(client.get("http://" + backend + ".example.com/")).hasStatus(200).wasRoutedTo(backend);
    }
}
