package dev.proxystage.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.RoutingTrace;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {

    private static final TraceIndex.Sent TRACED = new TraceIndex.Sent("r1", "GET", "https://vw.example.com/", "main", 1);
    private static final TraceIndex.Sent UNTRACED = new TraceIndex.Sent("r2", "POST", "https://own-log.test/", "main", 2);

    @Test
    void tracesComeFirstThenTheLinesEachWithItsContainer() {
        RoutingTrace trace = new RoutingTrace("r1", "GET", "https://vw.example.com/", "vw.example.com", 200,
                Optional.of("172.18.0.3:80"), Optional.of("vaultwarden"), Optional.of("vaultwarden"), Optional.of("prep"),
                Duration.ofMillis(2), Optional.of(200), Optional.empty());

        String report = Diagnostics.report("prep", List.of(TRACED, UNTRACED),
                r -> r.requestId().equals("r1") ? Optional.of(trace) : Optional.empty(),
                List.of(new LogLine(5, "nginx-rp-prep-1", true, "[error] 7#7: upstream timed out"),
                        new LogLine(6, "vaultwarden-prep-1", false, "GET / 200")));

        assertThat(report).isEqualTo("""
                ProxyStage diagnostics for stage prep
                requests of this test, as nginx routed them:
                  GET https://vw.example.com/ → server vw.example.com → 172.18.0.3:80 = vaultwarden@prep, upstream 200 (2 ms)
                  POST https://own-log.test/ → no trace from nginx (a server with its own access_log, or no answer)
                container logs since the test started:
                  [nginx-rp-prep-1] [error] 7#7: upstream timed out
                  [vaultwarden-prep-1] GET / 200""");
    }

    @Test
    void nothingSentAndNothingLoggedIsNoReport() {
        assertThat(Diagnostics.report("prep", List.of(), r -> Optional.empty(), List.of())).isEmpty();
    }
}
