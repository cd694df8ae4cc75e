package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --format sarif}: the same findings as the text, as a SARIF 2.1.0 log the official schema accepts. */
class CheckSarifTest {

    @TempDir
    Path dir;

    private static Schema schema() throws IOException {
        try (InputStream in = CheckSarifTest.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
            assertThat(in).isNotNull();
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
        }
    }

    @Test
    void theFindingsAreValidSarifWithTheirPlaces() throws IOException {
        CliRun run = CliRun.check("unknown-upstream", "--stage", "prep", "--format", "sarif");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(schema().validate(run.out(), InputFormat.JSON)).isEmpty();
        JsonNode results = new ObjectMapper().readTree(run.out()).path("runs").get(0).path("results");
        assertThat(results).hasSize(2);
        JsonNode error = results.get(0);
        assertThat(error.path("ruleId").asText()).isEqualTo("backend-unknown");
        assertThat(error.path("level").asText()).isEqualTo("error");
        assertThat(error.path("message").path("text").asText())
                .isEqualTo("upstream host 'vaultwardn' is not a backend of stage 'prep' (known backends: vaultwarden)");
        JsonNode where = error.path("locations").get(0).path("physicalLocation");
        // relative to the directory check runs in, as the text format shows it
        assertThat(where.path("artifactLocation").path("uri").asText())
                .isEqualTo(CliRun.shown(CliRun.fixture("unknown-upstream").resolve("conf.d/site.conf")));
        assertThat(where.path("region").path("startLine").asInt()).isEqualTo(6);
        assertThat(results.get(1).path("level").asText()).isEqualTo("warning");
        assertThat(results.get(1).path("ruleId").asText()).isEqualTo("backend-unused");
        assertThat(run.err()).endsWith("check: 1 error, 1 warning (stage prep)\n");
    }

    @Test
    void everyResultsRuleIsOneTheLogListsWhateverTheFixture() throws IOException {
        int results = 0;
        for (String fixture : List.of("bad-listen", "bad-yaml", "missing-include", "nginx-rules", "regex-name",
                "several", "ssl-no-cert", "stage-suffix", "unknown-upstream", "unused-backend")) {
            CliRun run = CliRun.check(fixture, "--format", "sarif");
            assertThat(schema().validate(run.out(), InputFormat.JSON)).as(fixture).isEmpty();
            JsonNode log = new ObjectMapper().readTree(run.out()).path("runs").get(0);
            Set<String> listed = new HashSet<>();
            log.path("tool").path("driver").path("rules").forEach(r -> listed.add(r.path("id").asText()));
            for (JsonNode result : log.path("results")) {
                results++;
                assertThat(listed).as(fixture + ": " + result).contains(result.path("ruleId").asText());
                assertThat(log.path("tool").path("driver").path("rules").get(result.path("ruleIndex").asInt())
                        .path("id").asText()).as(fixture).isEqualTo(result.path("ruleId").asText());
            }
        }
        assertThat(results).as("results across the fixtures").isGreaterThan(10);
    }

    @Test
    void outputWritesTheFileAndStdoutStaysEmpty() throws IOException {
        Path file = dir.resolve("reports/check.sarif");
        CliRun run = CliRun.check("good", "--format", "sarif", "--output", file.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out()).isEmpty();
        String sarif = Files.readString(file);
        assertThat(schema().validate(sarif, InputFormat.JSON)).isEmpty();
        assertThat(new ObjectMapper().readTree(sarif).path("runs").get(0).path("results")).isEmpty();
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        CliRun run = CliRun.check("good", "--format", "xml");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("--format").doesNotContain("Exception");
    }
}
