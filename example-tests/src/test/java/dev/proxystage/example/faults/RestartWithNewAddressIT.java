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
 * {@code resolver 127.0.0.11 valid=1s} and the host in a variable it asks Docker's DNS again and finds the new one.
 * app and web have the fault proxy in their path (the engine moves it, as it holds their alias); app2 and web2 have
 * not (the engine moves the backend's own container).
 */
class RestartWithNewAddressIT extends CookbookStage {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app", "web"})
    void aPlainProxyPassKeepsTheOldAddressAResolverFindsTheNewOne(String name, Stage stage, StageClient client)
            throws InterruptedException {
        String resolved = name + "2";
        try (ActiveFault plain = stage.backend(name).orElseThrow().fault(Fault.restartWithNewAddress());
             ActiveFault viaResolver = stage.backend(resolved).orElseThrow().fault(Fault.restartWithNewAddress())) {
            // proxy_pass http://app:80; in app.example.com's server: still the address nginx found at start
            assertThat(client.get("http://" + name + ".example.com/")).hasStatus(502)
                    .answeredByNginx()
                    .nginxLogged("connect() failed (111: Connection refused) while connecting to upstream");

            // The resolver's last answer may be up to a second old: ask until the new address answers.
            ProxyResponse fresh = client.get("http://fresh-" + name + ".example.com/");
            for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                 fresh.status() != 200 && System.nanoTime() < deadline; Thread.sleep(200)) {
                fresh = client.get("http://fresh-" + name + ".example.com/");
            }
            assertThat(fresh).hasStatus(200).wasRoutedTo(resolved);
        }
        // Healing reloads nginx, which resolves every name again.
        assertThat(client.get("http://" + name + ".example.com/")).hasStatus(200).wasRoutedTo(name);
    }
}
