package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code routes --stages wip,prep --same-as wip} on the example, with a drift seeded in prep (a conf.d override of
 * its own): the promotion gate catches it, and the report written beside the JUnit XML renders in headless Chromium
 * with no console error and no network request; its screenshot is kept as a build artifact.
 */
class RoutesMatrixIT {

    private static final Path EXAMPLE = Path.of("../example-tests").toAbsolutePath().normalize();
    private static final Path ARTIFACTS = Path.of("target", "proxystage");

    @TempDir
    Path dir;

    /** The example's pipeline, conf.d and offline profile, with prep reading a conf.d that closes /admin and previews /beta. */
    private Path driftedExample() throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Path prepConfD = Files.createDirectories(dir.resolve("conf-prep.d"));
        try (var files = Files.list(EXAMPLE.resolve("../conf.d").normalize())) {
            for (Path f : files.toList()) {
                Files.copy(f, confD.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(f, prepConfD.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path vaultwarden = prepConfD.resolve("vaultwarden.conf");
        String conf = Files.readString(vaultwarden);
        assertThat(conf).contains("client_max_body_size 525M;");
        Files.writeString(vaultwarden, conf.replace("client_max_body_size 525M;", """
                client_max_body_size 525M;

                    # prep only: the drift the gate must catch, and a difference the route table declares
                    location /admin { return 403; }
                    location /beta  { return 418; }"""));
        Files.copy(EXAMPLE.resolve("pipeline-offline.yml"), dir.resolve("pipeline-offline.yml"));
        Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - name: vaultwarden home
                    request: GET https://vw.example.com/
                    expect: {status: 200, backend: vaultwarden}
                  - name: admin page
                    request: GET https://vw.example.com/admin
                  - name: beta preview
                    request: GET https://vw.example.com/beta
                    stages:
                      prep: {differs: "prep previews the beta page", expect: {status: 418}}
                  - name: a host no server block claims
                    request: GET http://unknown.example.com/
                    expect: {status: 404}
                """);
        return Files.writeString(dir.resolve("pipeline.yml"), """
                defaultStage: prep
                stages:
                  wip: {}
                  prep:
                    nginx: {confDir: conf-prep.d}
                nginx:
                  image: nginx:1.27.3
                  confDir: conf.d
                backends:
                  vaultwarden:
                    image: vaultwarden/server:1.32.7
                    port: 80
                    health: {path: /alive, timeout: 60s}
                """);
    }

    @Test
    void theGateCatchesADriftAndTheReportRendersInChromiumLoadingNothing() throws Exception {
        Path pipeline = driftedExample();
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
