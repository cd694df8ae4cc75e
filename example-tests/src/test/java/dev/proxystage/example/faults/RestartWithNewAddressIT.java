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
 * Recipe: backends restart and come back at other addresses. nginx resolved a plain {@code proxy_pass} host once,
 * when it loaded its configuration, so it keeps sending to the old address (502); with
 * {@code resolver 127.0.0.11 valid=10s} and the host in a variable it asks Docker's DNS again once its cached answer
 * is ten seconds old, and finds the new one. app and web have the fault proxy in their path (the engine moves it, as
 * it holds their alias); app2 and web2 have not (the engine moves the backend's own container).
 */
class RestartWithNewAddressIT extends CookbookStage {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app", "web"})
    void aPlainProxyPassKeepsTheOldAddressAResolverFindsTheNewOne(String name, Stage stage, StageClient client)
            throws InterruptedException {
        String resolved = name + "2";
        // tag::restart[]
        // Through the resolver: nginx asks Docker's DNS and keeps the answer for 10s (valid=10s).
        assertThat(client.get("http://fresh-" + name + ".example.com/")).hasStatus(200).wasRoutedTo(resolved);

        try (ActiveFault plain = stage.backend(name).orElseThrow().fault(Fault.restartWithNewAddress());
             ActiveFault viaResolver = stage.backend(resolved).orElseThrow().fault(Fault.restartWithNewAddress())) {
            // proxy_pass http://app:80; in app.example.com's server: still the address nginx found at start
            assertThat(client.get("http://" + name + ".example.com/")).hasStatus(502)
                    .answeredByNginx()
                    .nginxLogged("connect() failed (111: Connection refused) while connecting to upstream");

            // Until the cached answer is 10s old, nginx still sends to the old address (502); then it asks again.
            ProxyResponse fresh = client.get("http://fresh-" + name + ".example.com/");
            for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                 fresh.status() != 200 && System.nanoTime() < deadline; Thread.sleep(500)) {
                fresh = client.get("http://fresh-" + name + ".example.com/");
            }
            assertThat(fresh).hasStatus(200).wasRoutedTo(resolved);
        }
        // Healing reloads nginx, which resolves every name again.
        assertThat(client.get("http://" + name + ".example.com/")).hasStatus(200).wasRoutedTo(name);
        // end::restart[]
    }
}
