package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code routes --stages wip,prep --same-as wip} on the example, with a drift seeded in prep (a conf.d override of
 * its own): the promotion gate catches it, and the report written beside the JUnit XML renders in headless Chromium
 * with no console error and no network request, the run's conf.d coverage (coverage.json, beside it) in it; its
 * screenshot is kept as a build artifact.
 */
class RoutesMatrixIT {

    private static final Path ARTIFACTS = Path.of("target", "proxystage");

    @TempDir
    Path dir;

    @Test
    void theGateCatchesADriftAndTheReportRendersInChromiumLoadingNothing() throws Exception {
        Path pipeline = DriftedExample.confDOverride(dir);
        Path xml = dir.resolve("out/routes.xml");

        CliRun run = CliRun.of("routes", "--config", pipeline.toString(), "--profile", "offline",
                "--stages", "wip,prep", "--same-as", "wip", "--junit-xml", xml.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out().lines().filter(l -> l.startsWith("PASS") || l.startsWith("FAIL")))
                .as(run.toString()).hasSize(8).allMatch(l -> l.startsWith("PASS"));
        assertThat(run.out()).contains(
                "prep same as wip: NOT promotable (2 routes alike, 1 drifted, 1 differ on purpose)",
                "  DRIFT admin page: wip 200 vaultwarden@wip (upstream 200), prep 403 nginx (",
                "  on purpose beta preview: wip 200 vaultwarden@wip (upstream 200), prep 418 nginx (prep previews the beta page)");
        assertThat(Files.readString(xml)).startsWith("<?xml").contains("<testsuites>")
                .contains("name=\"routes wip\"").contains("name=\"routes prep\"");
        Path report = xml.resolveSibling("index.html");
        String html = Files.readString(report);
        // the coverage of the run, written beside the XML before the report, which renders it
        assertThat(Files.readString(xml.resolveSibling("coverage.json"))).contains("\"stage\" : \"prep\"")
                .contains("\"file\" : \"conf-prep.d/vaultwarden.conf\"");
        assertThat(html).contains("<h3>stage prep: ").doesNotContain("No coverage.json beside this report");
        assertThat(html).contains("<th>wip</th><th>prep</th>").contains("stages differ")
                .contains("server <b>vw.example.com</b>").contains("http://vaultwarden:80 → vaultwarden@prep")
                .contains("return 403");
        assertThat(html.indexOf("NOT promotable")).isLessThan(html.indexOf("id=\"matrix\""));

        Files.createDirectories(ARTIFACTS);
        Files.copy(report, ARTIFACTS.resolve("routes-report.html"), StandardCopyOption.REPLACE_EXISTING);
        try (HeadlessChromium chromium = HeadlessChromium.start(dir)) {
            // The check itself must be able to fail: a page that logs an error and asks the network is seen doing so.
            Path bad = Files.writeString(dir.resolve("bad.html"), "<!DOCTYPE html><title>bad</title>"
                    + "<img src=\"http://127.0.0.1:9/x.png\"><script>console.error('seen')</script>");
            HeadlessChromium.PageLoad control = chromium.open(bad);
            assertThat(control.consoleErrors()).isNotEmpty();
            assertThat(control.requests()).contains("http://127.0.0.1:9/x.png");

            HeadlessChromium.PageLoad load = chromium.open(report);
            Files.write(ARTIFACTS.resolve("report.png"), load.screenshot());
            assertThat(load.consoleErrors()).as("console errors").isEmpty();
            assertThat(load.requests()).as("requests").containsExactly(report.toUri().toString());
            assertThat(load.screenshot()).hasSizeGreaterThan(10_000);
        }
    }
}
