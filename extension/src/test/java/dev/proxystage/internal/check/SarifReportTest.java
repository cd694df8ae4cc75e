package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
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
import java.util.ArrayList;
import java.util.Arrays;
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
            new SarifReport.Finding(true, Rule.BACKEND_UNKNOWN, "conf.d/app.conf:6: upstream host 'vaultwardn' is not a"
                    + " backend of stage 'prep'"),
            new SarifReport.Finding(false, Rule.NGINX_HEADERS, "conf.d/app.conf:12: warning: Host is set twice for"
                    + " location / of server vw.example.com: here and at line 11"),
            new SarifReport.Finding(true, Rule.TLS_CERTIFICATE, "/work/project/conf.d/tls.conf:7:14: server"
                    + " 'vw.example.com' listens with ssl but has no ssl_certificate"),
            new SarifReport.Finding(true, Rule.PIPELINE_CONFIG, "pipeline.yml:3: stages.prep.backends: unknown key 'imagee'"),
            new SarifReport.Finding(true, Rule.ROUTES_STAGE, "routes.yml:9: route 'login' names no stage 'qa'"),
            new SarifReport.Finding(true, Rule.NGINX_TEST, "conf.d/app.conf:2: nginx -t: unknown directive \"proxy_passs\""),
            new SarifReport.Finding(true, Rule.NGINX_READINESS, "conf.d: no server block listens"),
            new SarifReport.Finding(true, Rule.NGINX_SERVERS, "/elsewhere/a b.conf:1: server_name \"x\" appears twice"),
            // the rule comes with the finding, not from its words: these would have read as TLS and backends
            new SarifReport.Finding(true, Rule.PIPELINE_PLAN, "something about a certificate and an upstream, without a place"));

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
        assertThat(backend.path("ruleId").asText()).isEqualTo("backend-unknown");
        assertThat(backend.path("level").asText()).isEqualTo("error");
        JsonNode where = backend.path("locations").get(0).path("physicalLocation");
        assertThat(where.path("artifactLocation").path("uri").asText()).isEqualTo("conf.d/app.conf");
        assertThat(where.path("artifactLocation").path("uriBaseId").asText()).isEqualTo("%SRCROOT%");
        assertThat(where.path("region").path("startLine").asInt()).isEqualTo(6);

        JsonNode warning = results.get(1);
        assertThat(warning.path("level").asText()).isEqualTo("warning");
        assertThat(warning.path("message").path("text").asText()).startsWith("Host is set twice");

        JsonNode tls = results.get(2);
        assertThat(tls.path("ruleId").asText()).isEqualTo("tls-certificate");
        JsonNode tlsWhere = tls.path("locations").get(0).path("physicalLocation");
        assertThat(tlsWhere.path("artifactLocation").path("uri").asText()).isEqualTo("conf.d/tls.conf");
        assertThat(tlsWhere.path("region").path("startColumn").asInt()).isEqualTo(14);

        assertThat(results.get(3).path("ruleId").asText()).isEqualTo("pipeline-config");
        assertThat(results.get(4).path("ruleId").asText()).isEqualTo("routes-stage");
        assertThat(results.get(5).path("ruleId").asText()).isEqualTo("nginx-test");
        JsonNode whole = results.get(6).path("locations").get(0).path("physicalLocation");
        assertThat(whole.path("artifactLocation").path("uri").asText()).isEqualTo("conf.d");
        assertThat(whole.has("region")).isFalse();
        assertThat(results.get(7).path("locations").get(0).path("physicalLocation").path("artifactLocation")
                .path("uri").asText()).isEqualTo("file:///elsewhere/a%20b.conf");
        assertThat(results.get(8).has("locations")).isFalse();
        assertThat(results.get(8).path("ruleId").asText()).isEqualTo("pipeline-plan");

        JsonNode rules = run.path("tool").path("driver").path("rules");
        for (JsonNode result : results) {
            assertThat(rules.get(result.path("ruleIndex").asInt()).path("id").asText())
                    .isEqualTo(result.path("ruleId").asText());
        }
        assertThat(run.path("originalUriBaseIds").path("%SRCROOT%").path("uri").asText()).isEqualTo("file:///work/project/");
    }

    @Test
    void everyRuleIdOfTheLogIsOneOfItsRulesAndEveryRuleIsListedOnce() throws IOException {
        JsonNode run = new ObjectMapper().readTree(SarifReport.of(FINDINGS, ROOT, Optional.empty())).path("runs").get(0);
        List<String> listed = new ArrayList<>();
        run.path("tool").path("driver").path("rules").forEach(r -> listed.add(r.path("id").asText()));

        assertThat(listed).doesNotHaveDuplicates()
                .containsExactlyElementsOf(Arrays.stream(Rule.values()).map(Rule::id).toList())
                .allMatch(id -> id.matches("[a-z]+(-[a-z]+)+"));
        run.path("results").forEach(r -> assertThat(listed).contains(r.path("ruleId").asText()));
        // a log whose result names a rule it does not list is caught by the same check
        String bad = SarifReport.of(FINDINGS, ROOT, Optional.empty()).replace("\"ruleId\" : \"nginx-test\"",
                "\"ruleId\" : \"nginx-tset\"");
        List<String> badIds = new ArrayList<>();
        new ObjectMapper().readTree(bad).path("runs").get(0).path("results").forEach(r -> badIds.add(r.path("ruleId").asText()));
        assertThat(badIds).isNotEmpty().anyMatch(id -> !listed.contains(id));
    }
}
