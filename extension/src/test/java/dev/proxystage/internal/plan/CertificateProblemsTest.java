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

    @Test
    void collectsEveryKindAtOnce() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/site.conf"), """
                server { listen 443 ssl; server_name a.example.com; }
                server { listen 443 ssl; server_name b.example.com;
                         ssl_certificate /etc/nginx/$host.crt; ssl_certificate_key /etc/nginx/b.key; }
                server { listen 443 ssl; server_name c.example.com;
                         ssl_certificate /proc/c.crt; ssl_certificate_key /etc/nginx/c.key; }
                server { listen 443 ssl; server_name "~^(?<app>.+)\\.example\\.net$" $hostname;
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

        assertThat(problems).hasSize(5);
        assertThat(problems.get(0)).isEqualTo(site + ":1: server 'a.example.com' listens with ssl but has no ssl_certificate");
        assertThat(problems.get(1)).startsWith(site + ":3: certificate path '/etc/nginx/$host.crt' uses a variable");
        assertThat(problems.get(2)).startsWith(site + ":5: certificate path '/proc/c.crt' is not a writable location");
        assertThat(problems.get(3)).startsWith(site + ":7: server_name \"~^(?<app>.+)\\.example\\.net$\" is a regular expression");
        assertThat(problems.get(4)).startsWith(site + ":7: server_name \"$hostname\"");
    }
}
