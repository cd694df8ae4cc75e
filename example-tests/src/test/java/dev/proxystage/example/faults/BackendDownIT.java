package dev.proxystage.example.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.ProxyResponse;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recipe: the backend is down. nginx answers 502 itself, with the error page its error_page names. */
class BackendDownIT extends CookbookStage {

    // tag::down[]
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app", "web"})
    void aBackendThatIsDownIsA502WithTheErrorPage(String backend, Stage stage, StageClient client) {
        try (ActiveFault down = stage.backend(backend).orElseThrow().fault(Fault.down())) {
            ProxyResponse response = client.get("http://" + backend + ".example.com/");

            assertThat(response).hasStatus(502)
                    .answeredByNginx()
                    .nginxLogged("connect() failed (111: Connection refused) while connecting to upstream")
                    .hasBodyContaining("Back in a moment");
        }
        assertThat(client.get("http://" + backend + ".example.com/")).hasStatus(200).wasRoutedTo(backend);
    }
    // end::down[]
}
