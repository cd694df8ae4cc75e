package dev.proxystage.example.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.ProxyResponse;
import dev.proxystage.RoutingTrace;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recipe: one of an upstream block's two servers is down. With {@code proxy_next_upstream error timeout} nginx
 * tries the other server for the request that met the refusal, and leaves the failed one out for a while
 * ({@code fail_timeout}, 10s by default): every request is answered, by the server that is up.
 */
class OneOfTwoUpstreamsDownIT extends CookbookStage {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app", "web"})
    void nginxRetriesTheOtherServer(String backend, Stage stage, StageClient client) {
        String other = backend + "2";
        // tag::pool[]
        try (ActiveFault down = stage.backend(backend).orElseThrow().fault(Fault.down())) {
            List<ProxyResponse> responses = IntStream.range(0, 4)
                    .mapToObj(i -> client.get("http://pool-" + backend + ".example.com/")).toList();

            responses.forEach(response -> assertThat(response).hasStatus(200).wasRoutedTo(other));
            ProxyResponse retried = responses.stream()
                    .filter(response -> response.trace().orElseThrow().attempts().size() == 2).findFirst()
                    .orElseThrow(() -> new AssertionError("no request was retried: " + responses));
            assertThat(retried.trace().orElseThrow().attempts())
                    .extracting(attempt -> attempt.alias().orElse("?"), attempt -> attempt.status().isPresent())
                    .containsExactly(tuple(backend, false), tuple(other, true));
            assertThat(retried).nginxLogged("connect() failed (111: Connection refused) while connecting to upstream");
            assertThat(retried.trace().map(RoutingTrace::upstreamStatus).orElseThrow()).contains(200);
        }
        // end::pool[]
    }
}
