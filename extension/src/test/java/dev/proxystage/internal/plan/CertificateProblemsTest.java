package dev.proxystage.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS problems check collects all at once must agree with {@code StagePlan.prepare}, which stops at the first:
 * for a tree with one problem, the same line; for a good tree, none.
 */
class CertificateProblemsTest {

    @TempDir
    Path dir;

    private final TestCertificateAuthority ca = TestCertificateAuthority.create("tls-plan-check-test");

    @AfterEach
    void closeCa() {
        ca.close();
    }

    private static StageDefinition stage(Path pipeline) {
        return PipelineConfigLoader.load(pipeline, Optional.empty()).stage("prep");
    }

    /** Trees the CLI tests also have: the same rules decide both. */
    private static Path fixture(String name) {
        return Path.of("src/test/resources/plan", name);
    }

    private static List<String> problems(StageDefinition definition) {
        NginxConfig config = NginxConfig.parse(ParseRequest.of(definition.nginx().confDir()).withFiles(definition.nginx().files()));
        return Certificates.problems(config, definition.tls());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssl-no-cert", "regex-name"})
    void firstProblemIsTheOnePrepareThrows(String fixture) {
        StageDefinition definition = stage(fixture(fixture).resolve("pipeline.yml"));

        Throwable thrown = catchThrowable(() -> StagePlan.prepare(definition, ca, false));

        assertThat(thrown).isNotNull();
        assertThat(problems(definition)).first().isEqualTo(thrown.getMessage());
    }

    @Test
    void goodTreeHasNone() {
        assertThat(problems(stage(fixture("good").resolve("pipeline.yml")))).isEmpty();
    }

    /** A tree whose certificate lines sit in an included ssl.conf, away from the server_name. */
    private StageDefinition includedCertificate(String serverName) throws IOException {
        Files.createDirectories(dir.resolve("conf.d/tls"));
        Files.writeString(dir.resolve("conf.d/tls/ssl.conf"), """
                ssl_certificate /etc/nginx/certs/app.crt;
                ssl_certificate_key /etc/nginx/certs/app.key;
                """);
        Files.writeString(dir.resolve("conf.d/app.conf"), """
                server {
                    listen 443 ssl;
                    include /etc/nginx/conf.d/tls/ssl.conf;
                    server_name %s;
                }
                """.formatted(serverName));
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                """);
        return stage(dir.resolve("pipeline.yml"));
    }

    @Test
    void aTrailingWildcardBesideADerivableRegexPlansOneCertificateForBoth() throws IOException {
        StageDefinition definition = includedCertificate("app.* \"~^[0-9]{1,10}\\.app\\..*$\"");

        assertThat(problems(definition)).isEmpty();
        StagePlan plan = StagePlan.prepare(definition, ca, false);
        assertThat(plan.certificates().get("/etc/nginx/certs/app.crt").leaf().subjectAlternativeNames())
                .containsExactly("app.proxystage.test", "0.app.proxystage.test");
    }

    @Test
    void aServerWithoutServerNameTakesTheTestNameOfTheEmptyName() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/app.conf"), """
                server {
                    listen 443 ssl;
                    ssl_certificate /etc/nginx/certs/app.crt;
                    ssl_certificate_key /etc/nginx/certs/app.key;
                }
                """);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                tls: {testNames: {'': default.proxystage.invalid}}
                """);
        StageDefinition definition = stage(dir.resolve("pipeline.yml"));

        assertThat(problems(definition)).isEmpty();
        assertThat(StagePlan.prepare(definition, ca, false).certificates().get("/etc/nginx/certs/app.crt").leaf()
                .subjectAlternativeNames()).containsExactly("default.proxystage.invalid");
    }

    @Test
    void aRegexThatCannotBeDerivedIsReportedWhereTheServerNameIs() throws IOException {
        StageDefinition definition = includedCertificate("app.* \"~^(?!admin)[0-9]+\\.app\\..*$\"");
        String app = dir.resolve("conf.d/app.conf").toString();

        Throwable thrown = catchThrowable(() -> StagePlan.prepare(definition, ca, false));

        assertThat(thrown).hasMessageStartingWith(app + ":4: server_name \"~^(?!admin)[0-9]+\\.app\\..*$\" is a "
                + "regular expression that uses a lookahead");
        assertThat(problems(definition)).containsExactly(thrown.getMessage());
    }

    @Test
    void aServerNameFromAnIncludeIsReportedInThatFile() throws IOException {
        Files.createDirectories(dir.resolve("conf.d/names"));
        Files.writeString(dir.resolve("conf.d/names/app.names"), "# names\nserver_name ~^(?=x)y\\.example\\.com$;\n");
        Files.writeString(dir.resolve("conf.d/site.conf"), """
                server {
                    listen 443 ssl;
                    ssl_certificate /etc/nginx/certs/s.crt; ssl_certificate_key /etc/nginx/certs/s.key;
                    include /etc/nginx/conf.d/names/app.names;
                }
                """);
        Files.writeString(dir.resolve("pipeline.yml"), "stages: [prep]\nnginx: {image: nginx:1.27.3, confDir: conf.d}\n");

        assertThat(problems(stage(dir.resolve("pipeline.yml")))).singleElement().asString()
                .startsWith(dir.resolve("conf.d/names/app.names") + ":2: server_name \"~^(?=x)y\\.example\\.com$\"");
    }

    @Test
    void collectsEveryKindAtOnce() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/site.conf"), """
                server { listen 443 ssl; server_name a.example.com; }
                server { listen 443 ssl; server_name b.example.com;
                         ssl_certificate /etc/nginx/$host.crt; ssl_certificate_key /etc/nginx/b.key; }
                server { listen 443 ssl; server_name c.example.com;
                         ssl_certificate /proc/c.crt; ssl_certificate_key /etc/nginx/c.key; }
                server { listen 443 ssl; server_name "~^(?!www\\.)(?<app>.+)\\.example\\.net$" $hostname;
                         ssl_certificate /etc/nginx/d.crt; ssl_certificate_key /etc/nginx/d.key; }
                server { listen 443 ssl; server_name e.example.com;
                         ssl_certificate /etc/nginx/e.crt; ssl_certificate_key /etc/nginx/e.key; }
                """);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                """);
        String site = dir.resolve("conf.d/site.conf").toString();

        List<String> problems = problems(stage(dir.resolve("pipeline.yml")));

        // b's variable certificate path is no problem: nginx loads it per handshake
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).isEqualTo(site + ":1: server 'a.example.com' listens with ssl but has no ssl_certificate");
        assertThat(problems.get(1)).startsWith(site + ":5: certificate path '/proc/c.crt' is not a writable location");
        assertThat(problems.get(2)).startsWith(site + ":6: server_name \"~^(?!www\\.)(?<app>.+)\\.example\\.net$\" is a regular expression");
        assertThat(problems.get(3)).startsWith(site + ":6: server_name \"$hostname\"");
    }

    /**
     * nginx 1.19.4 on: a server with "ssl_reject_handshake on" (its own, or the http block's it does not turn off)
     * needs no certificate; one that turns it off does (verdicts: valid/ssl-reject-handshake-without-certificate).
     */
    @Test
    void aServerThatRejectsEveryHandshakeNeedsNoCertificate() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/site.conf"), """
                server { listen 443 ssl default_server; server_name _; ssl_reject_handshake on; return 444; }
                server { listen 443 ssl; server_name app.example.com;
                         ssl_certificate /etc/nginx/tls/app.crt; ssl_certificate_key /etc/nginx/tls/app.key; }
                server { listen 8443 ssl; server_name b.example.com; ssl_reject_handshake off; }
                """);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                """);
        StageDefinition definition = stage(dir.resolve("pipeline.yml"));

        assertThat(problems(definition)).containsExactly(dir.resolve("conf.d/site.conf")
                + ":4: server 'b.example.com' listens with ssl but has no ssl_certificate");
        Files.writeString(dir.resolve("conf.d/site.conf"), Files.readString(dir.resolve("conf.d/site.conf"))
                .replace("server { listen 8443 ssl; server_name b.example.com; ssl_reject_handshake off; }\n", ""));
        assertThat(problems(definition)).isEmpty();
        assertThat(StagePlan.prepare(definition, ca, false).certificates()).containsOnlyKeys("/etc/nginx/tls/app.crt");
    }

    /** nginx 1.15.9 on loads a server's certificates per handshake once any path holds a variable: none is placed. */
    @Test
    void variableCertificatePathsAreLoadedPerHandshakeNotPlaced() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/site.conf"), """
                server { listen 443 ssl; server_name a.example.com b.example.com;
                         ssl_certificate /etc/nginx/tls/$ssl_server_name.crt;
                         ssl_certificate_key /etc/nginx/tls/fixed.key; }
                server { listen 443 ssl; server_name c.example.com;
                         ssl_certificate /etc/nginx/tls/c.crt; ssl_certificate_key /etc/nginx/tls/c.key; }
                """);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                """);
        StageDefinition definition = stage(dir.resolve("pipeline.yml"));
        NginxConfig config = NginxConfig.parse(ParseRequest.of(definition.nginx().confDir()));

        assertThat(problems(definition)).isEmpty();
        assertThat(Certificates.loadedPerHandshake(config, definition.tls())).singleElement()
                .satisfies(ref -> assertThat(ref.line()).isEqualTo(2));
        assertThat(Certificates.filesFor(config, definition.tls(), ca))
                .containsOnlyKeys("/etc/nginx/tls/c.crt", "/etc/nginx/tls/c.key");
    }
}
