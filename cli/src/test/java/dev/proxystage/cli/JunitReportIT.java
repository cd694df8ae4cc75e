package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A JUnit run over two real stages of the example, prep running another version of the backend: with
 * {@code proxystage.promotion.sameAs=wip} the run fails when the engine finishes, naming the drifted route (its
 * tests pass), and its report (target/proxystage/index.html, coverage.json beside it, both as the run wrote them)
 * renders in headless Chromium with no console error and no request, the coverage marking the conf.d's lines.
 */
class JunitReportIT {

    private static final Path REPORT_DIR = Path.of("target", "proxystage");

    @TempDir
    Path dir;

    @Test
    void aDriftedBackendVersionFailsTheRunAndItsReportRendersInChromiumLoadingNothing() throws Exception {
        Path pipeline = DriftedExample.backendVersion(dir);
        Files.deleteIfExists(REPORT_DIR.resolve("index.html"));
        Files.deleteIfExists(REPORT_DIR.resolve("coverage.json"));

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", pipeline.toString())
                .configurationParameter("proxystage.profile", "offline")
                .configurationParameter("proxystage.promotion.sameAs", "wip")
                .selectors(DiscoverySelectors.selectClass(ReportFixtures.WipAndPrep.class))
                .execute();

        results.testEvents().assertStatistics(s -> s.started(8).succeeded(8));
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        Throwable gate = failed.get(0).getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(gate).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("proxystage.promotion.sameAs=wip: 1 route answers differently from wip")
                .hasMessageContaining("\nprep same as wip: NOT promotable (2 routes alike, 1 drifted, 1 differ on purpose)")
                .hasMessageContaining("\n  DRIFT admin page: wip 200 vaultwarden@wip (upstream 200), prep 404 vaultwarden@prep"
                        + " (upstream 404) (" + dir.resolve("routes.yml") + ":5:5)")
                .hasMessageContaining("\n  on purpose beta preview: wip 200 vaultwarden@wip (upstream 200), prep 418"
                        + " vaultwarden@prep (upstream 418) (vaultwarden 2 previews the beta page)");

        // coverage.json as the run counted it: location / (vaultwarden.conf:28) reached by three routes per stage,
        // the WebSocket location (:36) by none
        JsonNode coverage = new ObjectMapper().readTree(REPORT_DIR.resolve("coverage.json").toFile());
        List<String> stages = StreamSupport.stream(coverage.path("stages").spliterator(), false)
                .map(s -> s.path("stage").asText()).toList();
        assertThat(stages).containsExactlyInAnyOrder("wip", "prep");
        for (JsonNode stage : coverage.path("stages")) {
            assertThat(hits(stage, 28)).as("location / in " + stage.path("stage")).isEqualTo(3);
            assertThat(hits(stage, 36)).as("location /notifications/hub in " + stage.path("stage")).isZero();
        }
        String conf = Files.readString(dir.resolve("conf.d/vaultwarden.conf"));
        assertThat(conf.lines().toList().get(27)).isEqualTo("    location / {");

        Path report = REPORT_DIR.resolve("index.html").toAbsolutePath();
        String html = Files.readString(report);
        assertThat(html).contains("prep same as wip: NOT promotable")
                .contains("<span class=\"hit\"><span class=\"n\">28</span>    location / {  # 3 hits</span>")
                .contains("<span class=\"miss\"><span class=\"n\">36</span>    location /notifications/hub {  # 0 hits</span>");
        try (HeadlessChromium chromium = HeadlessChromium.start(dir)) {
            HeadlessChromium.PageLoad load = chromium.open(report);
            Files.write(REPORT_DIR.resolve("junit-report.png"), load.screenshot());
            assertThat(load.consoleErrors()).as("console errors").isEmpty();
            assertThat(load.requests()).as("requests").containsExactly(report.toUri().toString());
            assertThat(load.screenshot()).hasSizeGreaterThan(10_000);
        }
    }

    /** The hits of the location at {@code line} of conf.d/vaultwarden.conf in {@code stage}'s coverage. */
    private static int hits(JsonNode stage, int line) {
        for (JsonNode l : stage.path("locations")) {
            if (l.path("file").asText().equals("conf.d/vaultwarden.conf") && l.path("line").asInt() == line) {
                return l.path("hits").asInt();
            }
        }
        throw new AssertionError("no location at conf.d/vaultwarden.conf:" + line + " in " + stage);
    }
}
