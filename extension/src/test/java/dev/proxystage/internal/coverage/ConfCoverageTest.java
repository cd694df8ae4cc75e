package dev.proxystage.internal.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.internal.nginx.ConfFixtures;
import dev.proxystage.internal.nginx.NginxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which locations coverage counts, by nginx's matching rules, and what its report and gate say. */
class ConfCoverageTest {

    @TempDir
    Path project;

    private static final String SITE = """
            server {
                listen 80;
                server_name app.example.com;
                location = / { return 200; }
                location ^~ /static/ { return 204; }
                location /api/ {
                    proxy_pass http://api:8080;
                    location ~ \\.json$ { return 205; }
                }
                location ~* \\.(png|jpg)$ { return 206; }
                location /old/ { rewrite ^/old/(.*)$ /api/$1 last; }
                location /files/ { try_files $uri @fallback; }
                location @fallback { proxy_pass http://api:8080; }
                location /never/ { return 404; }
            }
            server {
                listen 80;
                server_name other.example.com;
                location / { return 200; }
            }
            """;

    private NginxConfig config() throws IOException {
        return ConfFixtures.parse(project, SITE);
    }

    private static void get(ConfCoverage c, String url) {
        c.count(new ConfCoverage.Sent("GET", url, Map.of()), Optional.empty());
    }

    private static long hits(ConfCoverage.Snapshot s, String location) {
        return s.locations().stream().filter(l -> l.location().equals(location)).findFirst().orElseThrow().hits();
    }

    @Test
    void eachRequestCountsTheLocationsNginxWouldChoose() throws IOException {
        ConfCoverage c = new ConfCoverage(config());
        get(c, "http://app.example.com/");
        get(c, "http://app.example.com/static/a.png"); // ^~ stops the regex search
        get(c, "http://app.example.com/api/x.json"); // nested regex inside the longest prefix
        get(c, "http://app.example.com/api/x");
        get(c, "http://app.example.com/img/a.JPG"); // caseless regex
        get(c, "http://app.example.com/old/y"); // rewrite ... last: both locations
        get(c, "http://app.example.com/files/z"); // try_files to a named location

        ConfCoverage.Snapshot s = c.snapshot();
        assertThat(hits(s, "= /")).isEqualTo(1);
        assertThat(hits(s, "^~ /static/")).isEqualTo(1);
        assertThat(hits(s, "~* \\.(png|jpg)$")).isEqualTo(1);
        assertThat(hits(s, "~ \\.json$")).isEqualTo(1);
        assertThat(hits(s, "/api/")).isEqualTo(2); // /api/x and /old/y after its rewrite
        assertThat(hits(s, "/old/")).isEqualTo(1);
        assertThat(hits(s, "/files/")).isEqualTo(1);
        assertThat(hits(s, "@fallback")).isEqualTo(1);
        assertThat(s.unreached()).extracting(ConfCoverage.LocationHits::location).containsExactly("/never/", "/");
        assertThat(s.requests()).isEqualTo(7);
        assertThat(s.servers()).extracting(ConfCoverage.ServerHits::hits).containsExactly(7L, 0L);
        assertThat(s.percent()).isEqualTo(80.0); // 8 of 10
    }

    @Test
    void nginxsTraceNamesTheServerBlockWhenTheHostDoesNot() throws IOException {
        ConfCoverage c = new ConfCoverage(config());
        // An IP as Host: the configuration alone gives the default server; nginx's trace says which one answered.
        c.count(new ConfCoverage.Sent("GET", "http://127.0.0.1/", Map.of()),
                Optional.of(new ConfCoverage.Traced("other.example.com", 80)));
        ConfCoverage.Snapshot s = c.snapshot();
        assertThat(s.servers()).extracting(ConfCoverage.ServerHits::hits).containsExactly(0L, 1L);
        assertThat(s.serverByTrace()).isEqualTo(1);
    }

    @Test
    void aRequestNoServerListensForCountsNothing() throws IOException {
        ConfCoverage c = new ConfCoverage(config());
        get(c, "https://app.example.com/");
        assertThat(c.snapshot().noServer()).isEqualTo(1);
        assertThat(c.snapshot().percent()).isZero();
    }

    @Test
    void theReportIsJsonWithPathsRelativeToTheProjectAndTheGateListsTheUnreached() throws IOException {
        ConfCoverage c = new ConfCoverage(config());
        get(c, "http://app.example.com/");
        CoverageReport report = new CoverageReport(project).add("prep", c.snapshot());

        JsonNode json = new ObjectMapper().readTree(report.json());
        JsonNode stage = json.path("stages").get(0);
        assertThat(stage.path("stage").asText()).isEqualTo("prep");
        assertThat(stage.path("percent").asDouble()).isEqualTo(10.0);
        JsonNode first = stage.path("locations").get(0);
        assertThat(first.path("file").asText()).isEqualTo("conf.d/site.conf");
        assertThat(first.path("line").asInt()).isEqualTo(4);
        assertThat(first.path("server").asText()).isEqualTo("app.example.com");
        assertThat(first.path("location").asText()).isEqualTo("= /");
        assertThat(first.path("hits").asLong()).isEqualTo(1);
        JsonNode server = stage.path("servers").get(0);
        assertThat(server.path("file").asText()).isEqualTo("conf.d/site.conf");
        assertThat(server.path("line").asInt()).isEqualTo(1);
        assertThat(server.path("names").get(0).asText()).isEqualTo("app.example.com");
        assertThat(server.path("hits").asLong()).isEqualTo(1);

        assertThat(report.gate("prep", OptionalDouble.of(10))).isEmpty();
        assertThat(report.gate("prep", OptionalDouble.empty())).isEmpty();
        Optional<String> failure = report.gate("prep", OptionalDouble.of(50));
        assertThat(failure).hasValueSatisfying(text -> {
            assertThat(text).startsWith("conf.d coverage of stage prep is 10%, below proxystage.coverage.minimum=50%:"
                    + " 9 of 10 locations were never reached:");
            assertThat(text).contains("\n  conf.d/site.conf:5 location ^~ /static/ (server app.example.com)");
            assertThat(text).contains("\n  conf.d/site.conf:19 location / (server other.example.com)");
        });
        assertThat(report.lines().get(0)).isEqualTo("conf.d coverage of stage prep: 10% of locations (1 of 10),"
                + " 1 of 2 server blocks, 1 requests");
    }

    @Test
    void requestsWaitForTheirTraceAndAreCountedWithoutOneWhenRead() throws IOException {
        StageCoverage coverage = new StageCoverage("prep", config());
        coverage.sent("a", "GET", "http://127.0.0.1/", Map.of());
        coverage.sent("b", "GET", "http://app.example.com/", Map.of());
        coverage.traced("a", "other.example.com", 80);
        coverage.traced("unknown", "app.example.com", 80);
        ConfCoverage.Snapshot s = coverage.snapshot();
        assertThat(s.requests()).isEqualTo(2);
        assertThat(s.serverByTrace()).isEqualTo(1);
        assertThat(s.servers()).extracting(ConfCoverage.ServerHits::hits).containsExactly(1L, 1L);
    }

    @Test
    void aHeaderTheTestSetDecidesAnIf() throws IOException {
        Path confD = Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(confD.resolve("site.conf"), """
                server {
                    listen 80;
                    location / {
                        if ($http_x_beta = "1") { rewrite ^ /beta/ last; }
                        return 200;
                    }
                    location /beta/ { return 201; }
                }
                """);
        ConfCoverage c = new ConfCoverage(NginxConfig.parse(confD));
        c.count(new ConfCoverage.Sent("GET", "http://localhost/", Map.of("X-Beta", "1")), Optional.empty());
        assertThat(hits(c.snapshot(), "/beta/")).isEqualTo(1);
        assertThat(c.snapshot().undecided()).isZero();
    }
}
