package dev.proxystage.internal.plan;

import dev.proxystage.internal.nginx.Problem;

import dev.proxystage.internal.nginx.NginxConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning a stage from its conf.d: checks, ports and certificates, all before any container starts. */
class StagePlanTest {

    @TempDir
    Path dir;

    private final TestCertificateAuthority ca = TestCertificateAuthority.create("test");

    @AfterEach
    void closeCa() {
        ca.close();
    }

    private StageDefinition stage(String conf, String tls) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/app.conf"), conf);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [wip, prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                backends:
                  vaultwarden: {image: echo}
                """ + tls);
        return PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
    }

    private static final String TLS_SERVER = """
            server {
                listen 80;
                server_name vw.example.com;
                return 301 https://$host$request_uri;
            }
            server {
                listen 443 ssl;
                server_name vw.example.com *.vw.example.com;
                ssl_certificate     /etc/nginx/certs/vw.crt;
                ssl_certificate_key certs/vw.key;
                location / { proxy_pass http://vaultwarden:80; }
            }
            """;

    @Test
    void tlsServerGetsACertificateForItsNamesAtTheReferencedPaths() throws Exception {
        StagePlan plan = StagePlan.prepare(stage(TLS_SERVER, ""), ca, false);

        assertThat(plan.nginxPorts()).containsExactlyInAnyOrder(80, 443);
        // Relative paths are resolved against nginx's prefix, as nginx does.
        assertThat(plan.nginxFiles()).containsOnlyKeys("/etc/nginx/certs/vw.crt", "/etc/nginx/certs/vw.key");
        X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(content(plan.nginxFiles().get("/etc/nginx/certs/vw.crt")))).iterator().next();
        assertThat(leaf.getSubjectAlternativeNames().stream().map(entry -> String.valueOf(entry.get(1))))
                .containsExactlyInAnyOrder("vw.example.com", "*.vw.example.com");
        leaf.verify(ca.caCertificate().getPublicKey());
        assertThat(new String(content(plan.nginxFiles().get("/etc/nginx/certs/vw.key")), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(plan.nginxFiles().get("/etc/nginx/certs/vw.key").mode()).isEqualTo(0600);
        assertThat(plan.trust()).hasValueSatisfying(trust ->
                assertThat(trust.caCertificatePem()).isEqualTo(ca.caCertificatePem()));
    }

    @Test
    void aCheckedPlanHasNoTrustUntilItsCertificatesAreIssued() throws Exception {
        StagePlan checked = StagePlan.checked(stage(TLS_SERVER, ""), false);

        assertThat(checked.trust()).isEmpty();
        assertThat(checked.hasCertificates()).isFalse();
        assertThat(checked.issuedBy(ca).hasCertificates()).isTrue();
    }

    @Test
    void theCaKeyNeverGoesIntoTheContainer() throws Exception {
        StagePlan plan = StagePlan.prepare(stage(TLS_SERVER, ""), ca, false);
        String caKey = ca.ca().privateKeyPkcs8Pem();

        for (FileContent file : plan.nginxFiles().values()) {
            assertThat(new String(content(file), StandardCharsets.US_ASCII)).doesNotContain(caKey);
        }
    }

    @Test
    void planningAgainKeepsTheRunningCertificatesWhosePathsAndNamesAreUnchanged() throws Exception {
        StagePlan running = StagePlan.prepare(stage(TLS_SERVER, ""), ca, false);
        String other = """
                server {
                    listen 443 ssl;
                    server_name new.example.com;
                    ssl_certificate     /etc/nginx/certs/new.crt;
                    ssl_certificate_key /etc/nginx/certs/new.key;
                    return 200;
                }
                """;

        StagePlan next = StagePlan.prepareAfter(running, stage(TLS_SERVER + other, ""), ca, false);

        assertThat(next.certificates().get("/etc/nginx/certs/vw.crt").leaf())
                .isSameAs(running.certificates().get("/etc/nginx/certs/vw.crt").leaf());
        assertThat(content(next.nginxFiles().get("/etc/nginx/certs/vw.key")))
                .isEqualTo(content(running.nginxFiles().get("/etc/nginx/certs/vw.key")));
        assertThat(next.certificates().get("/etc/nginx/certs/new.crt").leaf().subjectAlternativeNames())
                .containsExactly("new.example.com");

        // A new name for a path is a new certificate.
        StagePlan renamed = StagePlan.prepareAfter(next,
                stage(TLS_SERVER.replace("*.vw.example.com", "vault.example.com"), ""), ca, false);
        assertThat(renamed.certificates().get("/etc/nginx/certs/vw.crt").leaf())
                .isNotSameAs(running.certificates().get("/etc/nginx/certs/vw.crt").leaf());
        assertThat(renamed.certificates().get("/etc/nginx/certs/vw.crt").leaf().subjectAlternativeNames())
                .containsExactlyInAnyOrder("vw.example.com", "vault.example.com");

        // Another CA's certificates are never kept.
        try (TestCertificateAuthority otherCa = TestCertificateAuthority.create("other")) {
            StagePlan fresh = StagePlan.prepareAfter(running, stage(TLS_SERVER, ""), otherCa, false);
            fresh.certificates().get("/etc/nginx/certs/vw.crt").leaf().certificate().verify(otherCa.caCertificate().getPublicKey());
        }
    }

    @Test
    void shippedCertificatesAreKeptUnlessGenerationIsForced() throws IOException {
        Files.createDirectories(dir.resolve("certs"));
        Files.writeString(dir.resolve("certs/vw.crt"), "shipped");
        Files.writeString(dir.resolve("certs/vw.key"), "shipped");
        String conf = TLS_SERVER.replace("/etc/nginx/certs/vw.crt", "/shipped/vw.crt").replace("certs/vw.key", "/shipped/vw.key");
        stage(conf, "");
        Files.writeString(dir.resolve("pipeline.yml"), Files.readString(dir.resolve("pipeline.yml"))
                .replace("confDir: conf.d}", "confDir: conf.d, files: {/shipped: certs}}"));
        StageDefinition shipped = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        assertThat(StagePlan.prepare(shipped, ca, false).nginxFiles()).isEmpty();

        Files.writeString(dir.resolve("pipeline.yml"), Files.readString(dir.resolve("pipeline.yml")) + "tls: {generate: always}\n");
        StageDefinition forced = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        assertThat(StagePlan.prepare(forced, ca, false).nginxFiles()).containsOnlyKeys("/shipped/vw.crt", "/shipped/vw.key");
    }

    @Test
    void aTrustedCertificateBesideTheCertificateGetsTheCaAsTheChain() throws Exception {
        // certbot's layout: chain.pem beside fullchain.pem, which nginx reads at start (stapling verification)
        String conf = TLS_SERVER.replace("/etc/nginx/certs/vw.crt", "/etc/letsencrypt/live/vw/fullchain.pem")
                .replace("certs/vw.key", "/etc/letsencrypt/live/vw/privkey.pem")
                .replace("location /", "ssl_trusted_certificate /etc/letsencrypt/live/vw/chain.pem;\n    location /");
        StageDefinition beside = stage(conf, "");
        StagePlan plan = StagePlan.prepare(beside, ca, false);

        assertThat(plan.nginxFiles()).containsOnlyKeys("/etc/letsencrypt/live/vw/fullchain.pem",
                "/etc/letsencrypt/live/vw/privkey.pem", "/etc/letsencrypt/live/vw/chain.pem");
        X509Certificate chain = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(content(plan.nginxFiles().get("/etc/letsencrypt/live/vw/chain.pem"))))
                .iterator().next();
        assertThat(chain).isEqualTo(ca.caCertificate());
        assertThat(StagePlan.check(beside, NginxConfig.parse(beside.nginx().parseRequest()))).isEmpty();

        // the image's own CA bundle beside a certificate in the system's directory is left as the image has it
        String system = conf.replace("/etc/letsencrypt/live/vw/fullchain.pem", "/etc/ssl/certs/vw.pem")
                .replace("/etc/letsencrypt/live/vw/chain.pem", "/etc/ssl/certs/ca-certificates.crt");
        assertThat(StagePlan.prepare(stage(system, ""), ca, false).nginxFiles())
                .containsOnlyKeys("/etc/ssl/certs/vw.pem", "/etc/letsencrypt/live/vw/privkey.pem");

        // elsewhere it is a CA bundle of the user's, which the stage does not make up: the check names it
        String elsewhere = conf.replace("/etc/letsencrypt/live/vw/chain.pem", "/etc/nginx/ca/bundle.pem");
        StageDefinition other = stage(elsewhere, "");
        assertThat(StagePlan.check(other, NginxConfig.parse(other.nginx().parseRequest()))).singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("\"ssl_trusted_certificate\" reads /etc/nginx/ca/bundle.pem"));
    }

    @Test
    void sslWithoutACertificateIsAnErrorAtTheServerBlock() throws IOException {
        StageDefinition stage = stage("""
                server {
                    listen 443 ssl;
                    server_name vw.example.com;
                    location / { proxy_pass http://vaultwarden:80; }
                }
                """, "");

        assertThatThrownBy(() -> StagePlan.prepare(stage, ca, false))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage(dir.resolve("conf.d/app.conf") + ":1: server 'vw.example.com' listens with ssl but has no ssl_certificate");
    }

    @Test
    void certificatePathThatCannotBeWrittenIsAnError() throws IOException {
        StageDefinition stage = stage(TLS_SERVER.replace("/etc/nginx/certs/vw.crt", "/proc/self/vw.crt"), "");

        assertThatThrownBy(() -> StagePlan.prepare(stage, ca, false))
                .hasMessage(dir.resolve("conf.d/app.conf") + ":9: certificate path '/proc/self/vw.crt' is not a writable "
                        + "location in a container; use a path such as /etc/nginx/certs/");
    }

    @Test
    void regexServerNameGetsADerivedNameOrNeedsAnExplicitOne() throws IOException {
        String conf = TLS_SERVER.replace("server_name vw.example.com *.vw.example.com;", "server_name ~^(?<app>.+)\\.example\\.com$;");
        assertThat(StagePlan.prepare(stage(conf, ""), ca, false).certificates().get("/etc/nginx/certs/vw.crt").leaf()
                .subjectAlternativeNames()).containsExactly("proxystage.example.com");

        String lookahead = conf.replace("(?<app>", "(?!www)(?<app>");
        assertThatThrownBy(() -> StagePlan.prepare(stage(lookahead, ""), ca, false))
                .isInstanceOf(ProxyStageException.class)
                .hasMessageStartingWith(dir.resolve("conf.d/app.conf") + ":8: server_name")
                .hasMessageContaining("testNames");

        StagePlan plan = StagePlan.prepare(stage(conf, "tls: {testNames: {'~^(?<app>.+)\\.example\\.com$': vw.example.com}}\n"), ca, false);
        assertThat(plan.certificates().get("/etc/nginx/certs/vw.crt").leaf().subjectAlternativeNames()).contains("vw.example.com");
    }

    @Test
    void unknownUpstreamFailsBeforeAnythingStarts() throws IOException {
        StageDefinition stage = stage("""
                server {
                    listen 80;
                    location / { proxy_pass http://vaultwardn:80; }
                }
                """, "");

        assertThatThrownBy(() -> StagePlan.prepare(stage, ca, false))
                .isInstanceOf(ProxyStageException.class)
                .hasMessageStartingWith(dir.resolve("conf.d/app.conf") + ":3: ")
                .hasMessageContaining("vaultwardn")
                .hasMessageContaining("prep");
    }

    @Test
    void stageSuffixedHostIsAnError() throws IOException {
        StageDefinition stage = stage("""
                server {
                    listen 80;
                    location / { proxy_pass http://vaultwarden-prep:80; }
                }
                """, "");

        assertThatThrownBy(() -> StagePlan.prepare(stage, ca, false))
                .hasMessageStartingWith(dir.resolve("conf.d/app.conf") + ":3: ")
                .hasMessageContaining("'vaultwarden'");
    }

    private static byte[] content(FileContent file) {
        return file.bytes();
    }

    @Test
    void modulesListedInThePipelineTurnUnknownDirectivesIntoWarnings() throws IOException {
        String conf = """
                server {
                    listen 80;
                    more_set_headers "Server: stage";
                    location / { proxy_pass http://vaultwarden:80; }
                }
                """;
        StageDefinition plain = stage(conf, "");
        assertThat(StagePlan.check(plain, NginxConfig.parse(plain.nginx().parseRequest())))
                .filteredOn(Problem::isError).extracting(Problem::message)
                .containsExactly("unknown directive \"more_set_headers\"");

        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [wip, prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d, modules: [headers-more]}
                backends:
                  vaultwarden: {image: echo}
                """);
        StageDefinition withModule = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        List<Problem> problems = StagePlan.check(withModule, NginxConfig.parse(withModule.nginx().parseRequest()));
        assertThat(problems).noneMatch(Problem::isError)
                .anySatisfy(p -> assertThat(p.message()).startsWith("unknown directive \"more_set_headers\""));
    }
}
