package dev.proxystage.internal.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report page, rendered from evidence made up here: no Docker, no browser. */
class ReportPageTest {

    private static final Path FIXTURES = Path.of("src/test/resources/report").toAbsolutePath();

    @TempDir
    Path dir;

    private StageMap prepMap() throws IOException {
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: {wip: {}, prep: {}}
                nginx: {image: nginx:1.27.3, confDir: %s}
                backends:
                  app: {image: echo, port: 8080}
                """.formatted(FIXTURES.resolve("conf.d")));
        StageDefinition prep = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        NginxConfig config = NginxConfig.parse(prep.nginx().parseRequest());
        return StageMap.of(prep, config, List.of(new Problem(Problem.Severity.WARNING, Problem.Rule.NGINX_HEADERS,
                FIXTURES.resolve("conf.d/site.conf"), 8, "a made-up finding <b>bold</b>")));
    }

    @Test
    void untrustedTextRendersInert() {
        RunEvidence evidence = new RunEvidence("abcd1234");
        evidence.test(new TestResult("XSS <script>alert(1)</script>", "prep", false,
                "AssertionError: expected header X-A '\"><svg onload=alert(2)>'",
                "nginx error.log: <img src=x onerror=alert(3)> & more", 0.01));
        evidence.answer(new RouteAnswer("routes.yml", "routes.yml:3:5", "route </td><script>", "prep", true, "",
                Optional.of(200), Optional.of("app"), Optional.of("prep"), Optional.of(200), "", "GET https://a/ → <iframe>"));

        String html = ReportPage.render(evidence, Optional.empty());

        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<img")
                .doesNotContainIgnoringCase("<svg").doesNotContainIgnoringCase("<iframe")
                .contains("XSS &lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&lt;img src=x onerror=alert(3)&gt; &amp; more")
                .contains("&#39;&quot;&gt;&lt;svg onload=alert(2)&gt;&#39;")
                .contains("route &lt;/td&gt;&lt;script&gt;");
    }

    @Test
    void thePageLoadsNothingFromAnywhere() throws IOException {
        RunEvidence evidence = new RunEvidence("abcd1234");
        evidence.map(prepMap());
        evidence.answer(PromotionGateTest.answer("home", "prep", 200, "app", 200));

        String html = ReportPage.render(evidence, Optional.of(Coverage.read(FIXTURES.resolve("coverage.json"))));

        assertThat(html).contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .doesNotContain(" src=").doesNotContain("<link").doesNotContain("url(").doesNotContain("@import")
                .doesNotContainPattern("href=\"(?!#)");
    }

    @Test
    void failingItemsComeFirst() {
        RunEvidence evidence = new RunEvidence("abcd1234");
        evidence.test(new TestResult("passing test", "prep", true, "", "", 0.01));
        evidence.test(new TestResult("failing test", "prep", false, "AssertionError: boom", "trace line", 0.02));

        String html = ReportPage.render(evidence, Optional.empty());

        int attention = html.indexOf("id=\"attention\"");
        assertThat(html.indexOf("failing test")).isBetween(attention, html.indexOf("id=\"matrix\""));
        String results = html.substring(html.indexOf("id=\"results\""));
        assertThat(results.indexOf("failing test")).isLessThan(results.indexOf("passing test"));
    }

    @Test
    void theMatrixFlagsADriftAndTheGateSaysNotPromotable() {
        RunEvidence evidence = new RunEvidence("abcd1234");
        evidence.stageOrder(List.of("wip", "prep"));
        evidence.answer(PromotionGateTest.answer("admin", "wip", 200, "app", 200));
        evidence.answer(PromotionGateTest.answer("admin", "prep", 403, null, null));

        String html = ReportPage.render(evidence, Optional.empty());

        assertThat(html).contains("<th>wip</th><th>prep</th>").contains("200 app@wip (upstream 200)").contains("403 nginx")
                .contains("stages differ").contains("prep same as wip: NOT promotable (0 routes alike, 1 drifted)");
        assertThat(html.indexOf("NOT promotable")).isLessThan(html.indexOf("id=\"matrix\""));
    }

    @Test
    void theRoutingMapGoesFromServerBlockToContainerAndTheFindingsAreListed() throws IOException {
        RunEvidence evidence = new RunEvidence("abcd1234");
        evidence.map(prepMap());

        String html = ReportPage.render(evidence, Optional.empty());

        assertThat(html).contains("server <b>app.example.com</b>").contains("site.conf:1")
                .contains("location <span class=\"code\">/</span>")
                .contains("http://app:8080 → app@prep").contains("return 403")
                .contains("site.conf:8: warning: a made-up finding &lt;b&gt;bold&lt;/b&gt;");
    }

    @Test
    void coverageMarksEachConfDLineReachedOrNot() throws IOException {
        RunEvidence evidence = new RunEvidence("abcd1234");
        evidence.map(prepMap());
        Files.copy(FIXTURES.resolve("coverage.json"), dir.resolve("coverage.json"));

        String html = Files.readString(ReportPage.write(dir.resolve("."), evidence));

        assertThat(html).contains("stage prep: 66.7 %").contains("conf.d/site.conf: 2 of 3 blocks reached")
                .contains("<span class=\"hit\"><span class=\"n\">5</span>    location / {  # 3 hits</span>")
                .contains("<span class=\"miss\"><span class=\"n\">8</span>    location /admin/ {  # 0 hits</span>")
                .contains("<span class=\"\"><span class=\"n\">6</span>");
    }

    @Test
    void withoutCoverageTheSectionSaysSo() {
        assertThat(ReportPage.render(new RunEvidence("r"), Coverage.besideReport(dir))).contains("No coverage.json beside this report.");
    }

    @Test
    void aBrokenCoverageFileIsOneLineWithFileLineAndColumn() throws IOException {
        Path file = dir.resolve("coverage.json");
        Files.writeString(file, "{\"stages\": [\n  {\"stage\": \"prep\",,}]}");
        assertThatThrownBy(() -> Coverage.read(file)).isInstanceOf(ProxyStageException.class)
                .hasMessageStartingWith(file + ":2:").hasMessageContaining("not readable as JSON");
        Files.writeString(file, "{}");
        assertThatThrownBy(() -> Coverage.read(file)).hasMessage(file + ": has no \"stages\" list");
    }
}
