package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code routes} on the example project's stage (offline images): the table passes, a wrong one fails with its trace. */
class CliRoutesIT {

    private static final String PIPELINE = "../example-tests/pipeline.yml";

    @TempDir
    Path dir;

    @Test
    void theExamplesRouteTablePassesOnPrepAndIsWrittenAsJunitXml() throws IOException {
        Path xml = dir.resolve("routes.xml");

        CliRun run = CliRun.of("routes", "--config", PIPELINE, "--profile", "offline", "--stage", "prep",
                "--junit-xml", xml.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out().lines()).containsExactly(
                "PASS vaultwarden home",
                "PASS plain http redirects to https, path and query kept",
                "PASS a host no server block claims ends at the default server",
                "PASS notifications hub upgrades to a WebSocket");
        assertThat(run.err()).contains("4 routes on stage prep: 4 passed, 0 failed (0 skipped in this stage)");
        assertThat(Files.readString(xml)).contains("tests=\"4\" failures=\"0\"").contains("name=\"vaultwarden home\"");
    }

    @Test
    void aWrongExpectationFailsWithTheRoutesTraceAndExitsOne() throws IOException {
        Path table = Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - name: home
                    request: GET https://vw.example.com/
                    expect: {backend: vaultwarden}
                  - name: home answered by nginx itself
                    request: GET https://vw.example.com/
                    expect: {status: 301}
                """);

        CliRun run = CliRun.of("routes", "--config", PIPELINE, "--profile", "offline", "--stage", "prep",
                "--routes", table.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out()).startsWith("PASS home\nFAIL home answered by nginx itself: expected status 301 but got 200")
                .contains("requests of this test, as nginx routed them:")
                .containsPattern("GET https://vw.example.com/ → server vw.example.com \\(.*vaultwarden.conf:\\d+\\) → ")
                .contains("= vaultwarden@prep");
        assertThat(run.err()).contains("2 routes on stage prep: 1 passed, 1 failed");
    }
}
