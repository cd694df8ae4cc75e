package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStage;
import dev.proxystage.RoutingTrace;
import dev.proxystage.Stage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where traces and log lines come from on a local engine: the direct path, and the engine on demand. */
class TraceDeliveryIT {

    @Test
    void onALocalEngineTracesComeOverTheDirectPathAndNginxsOutputHoldsNone() {
        try (Stage stage = ProxyStage.pipeline(Path.of("../example-tests/pipeline.yml")).profile("offline").stage("prep").start()) {
            ProxyResponse response = stage.client().get("https://vw.example.com/direct-path");

            RoutingTrace trace = response.trace().orElseThrow(() -> new AssertionError("no trace for " + response));
            assertThat(trace.backend()).contains("vaultwarden");
            assertThat(trace.serverName()).isEqualTo("vw.example.com");
            // the trace log is syslog to the JVM, not nginx's stdout: nothing of it is in the container's log
            assertThat(stage.nginx().logs()).doesNotContain("proxystage-trace");
        }
    }
}
