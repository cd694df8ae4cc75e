package dev.proxystage.internal.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** check's findings as SARIF 2.1.0: valid against the official schema, with rule ids, levels and locations. */
class SarifReportTest {

    /** The official SARIF 2.1.0 schema, as a Maven artifact ships it on the test class path. */
    static Schema sarifSchema() throws IOException {
        try (InputStream in = SarifReportTest.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
            assertThat(in).as("schema/sarif-schema-2.1.0.json on the test class path").isNotNull();
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
        }
    }

    static List<Error> validate(String sarif) throws IOException {
        return sarifSchema().validate(sarif, InputFormat.JSON);
    }

    private static final Path ROOT = Path.of("/work/project");

    private static final List<SarifReport.Finding> FINDINGS = List.of(
            new SarifReport.Finding(true, "conf.d/app.conf:6: upstream host 'vaultwardn' is not a backend of stage 'prep'"),
            new SarifReport.Finding(false, "conf.d/app.conf:12: warning: Host is set twice for location / of server"
                    + " vw.example.com: here and at line 11"),
            new SarifReport.Finding(true, "/work/project/conf.d/tls.conf:7:14: server 'vw.example.com' listens with ssl"
                    + " but has no ssl_certificate"),
            new SarifReport.Finding(true, "pipeline.yml:3: stages.prep.backends: unknown key 'imagee'"),
            new SarifReport.Finding(true, "routes.yml:9: route 'login' names no stage 'qa'"),
            new SarifReport.Finding(true, "conf.d/app.conf:2: nginx -t: unknown directive \"proxy_passs\""),
            new SarifReport.Finding(true, "conf.d: no server block listens"),
            new SarifReport.Finding(true, "/elsewhere/a b.conf:1: server_name \"x\" appears twice"),
            new SarifReport.Finding(true, "something went wrong without a place"));

    @Test
    void theLogIsValidSarif210() throws IOException {
        String sarif = SarifReport.of(FINDINGS, ROOT, Optional.of("0.1.0"));
        assertThat(validate(sarif)).isEmpty();
        assertThat(validate(SarifReport.of(List.of(), ROOT, Optional.empty()))).isEmpty();
    }

    @Test
    void theValidatorRefusesWhatIsNotSarif() throws IOException {
        String sarif = SarifReport.of(FINDINGS, ROOT, Optional.empty());
        // A level SARIF does not know, and a line below 1: the schema must catch both, or it proves nothing.
        assertThat(validate(sarif.replaceFirst("\"error\"", "\"fatal\""))).isNotEmpty();
        assertThat(validate(sarif.replaceFirst("\"startLine\" : 6", "\"startLine\" : 0"))).isNotEmpty();
    }

    @Test
    void eachFindingHasItsRuleLevelAndPlace() throws IOException {
        JsonNode run = new ObjectMapper().readTree(SarifReport.of(FINDINGS, ROOT, Optional.empty())).path("runs").get(0);
        JsonNode results = run.path("results");
        assertThat(results).hasSize(FINDINGS.size());

        JsonNode backend = results.get(0);
        assertThat(backend.path("ruleId").asText()).isEqualTo("proxystage/backends");
        assertThat(backend.path("level").asText()).isEqualTo("error");
        JsonNode where = backend.path("locations").get(0).path("physicalLocation");
        assertThat(where.path("artifactLocation").path("uri").asText()).isEqualTo("conf.d/app.conf");
        assertThat(where.path("artifactLocation").path("uriBaseId").asText()).isEqualTo("%SRCROOT%");
        assertThat(where.path("region").path("startLine").asInt()).isEqualTo(6);

        JsonNode warning = results.get(1);
        assertThat(warning.path("level").asText()).isEqualTo("warning");
        assertThat(warning.path("message").path("text").asText()).startsWith("Host is set twice");

        JsonNode tls = results.get(2);
        assertThat(tls.path("ruleId").asText()).isEqualTo("proxystage/tls");
        JsonNode tlsWhere = tls.path("locations").get(0).path("physicalLocation");
        assertThat(tlsWhere.path("artifactLocation").path("uri").asText()).isEqualTo("conf.d/tls.conf");
        assertThat(tlsWhere.path("region").path("startColumn").asInt()).isEqualTo(14);

        assertThat(results.get(3).path("ruleId").asText()).isEqualTo("proxystage/pipeline");
        assertThat(results.get(4).path("ruleId").asText()).isEqualTo("proxystage/routes");
        assertThat(results.get(5).path("ruleId").asText()).isEqualTo("proxystage/nginx-test");
        JsonNode whole = results.get(6).path("locations").get(0).path("physicalLocation");
        assertThat(whole.path("artifactLocation").path("uri").asText()).isEqualTo("conf.d");
        assertThat(whole.has("region")).isFalse();
        assertThat(results.get(7).path("locations").get(0).path("physicalLocation").path("artifactLocation")
                .path("uri").asText()).isEqualTo("file:///elsewhere/a%20b.conf");
        assertThat(results.get(8).has("locations")).isFalse();

        JsonNode rules = run.path("tool").path("driver").path("rules");
        for (JsonNode result : results) {
            assertThat(rules.get(result.path("ruleIndex").asInt()).path("id").asText())
                    .isEqualTo(result.path("ruleId").asText());
        }
        assertThat(run.path("originalUriBaseIds").path("%SRCROOT%").path("uri").asText()).isEqualTo("file:///work/project/");
    }
}
