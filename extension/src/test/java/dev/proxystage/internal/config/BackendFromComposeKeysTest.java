package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend keys a compose service maps onto: more host names, an entrypoint, env files. */
class BackendFromComposeKeysTest {

    @TempDir
    Path dir;

    @BeforeEach
    void confD() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
    }

    private PipelineConfig load(String backends) throws IOException {
        Path file = dir.resolve("pipeline.yml");
        Files.writeString(file, "stages: [prep]\nnginx: {image: nginx:1.27.3, confDir: conf.d}\nbackends:\n" + backends);
        return PipelineConfigLoader.load(file, Optional.empty());
    }

    private String errorOf(String backends) {
        return assertThatThrownBy(() -> load(backends)).isInstanceOf(ProxyStageException.class).actual().getMessage();
    }

    @Test
    void aBackendHasMoreHostNamesDottedOnesIncluded() throws IOException {
        BackendSpec prosody = load("""
                  prosody:
                    image: jitsi/prosody:stable
                    alias: xmpp.meet.jitsi
                    aliases: [prosody, auth.meet.jitsi]
                    port: 5280
                """).stage("prep").backend("prosody").orElseThrow();

        assertThat(prosody.alias()).isEqualTo("xmpp.meet.jitsi");
        assertThat(prosody.aliases()).containsExactly("prosody", "auth.meet.jitsi");
        assertThat(prosody.hostNames()).containsExactly("xmpp.meet.jitsi", "prosody", "auth.meet.jitsi");
    }

    @Test
    void aHostNameTwiceInOneBackendOrAcrossBackendsIsRefused() {
        assertThat(errorOf("""
                  app:
                    image: app:1
                    aliases: [app]
                """)).contains("pipeline.yml:6:15: backends.app.aliases[0] names 'app' twice");
        assertThat(errorOf("""
                  app:
                    image: app:1
                    aliases: [web]
                  web:
                    image: web:1
                """)).contains("uses alias 'web', already taken by backend 'app' in stage 'prep'");
        assertThat(errorOf("""
                  app:
                    image: app:1
                    aliases: [Not_A_Host]
                """)).contains("backends.app.aliases[0] 'Not_A_Host' is not a valid host name");
    }

    @Test
    void anEntrypointReplacesTheImagesAndIsNoEchoKey() throws IOException {
        BackendSpec app = load("""
                  app:
                    image: app:1
                    entrypoint: [/bin/sh, -c]
                    command: ["exec app"]
                """).stage("prep").backend("app").orElseThrow();
        assertThat(app.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(app.command()).containsExactly("exec app");

        assertThat(errorOf("""
                  app:
                    image: echo
                    entrypoint: [/bin/sh]
                """)).contains("backends.app.entrypoint cannot be used with image: echo");
        assertThat(errorOf("""
                  app:
                    image: app:1
                    entrypoint: /bin/sh
                """)).contains("backends.app.entrypoint must be a non-empty list, e.g. [/docker-entrypoint.sh]");
    }

    @Test
    void envFilesAreReadAtLoadTheirValuesSecretAndEnvWins() throws IOException {
        Files.writeString(dir.resolve("app.env"), """
                # database
                DB_HOST=db
                DB_PASSWORD='s3cr$t'
                GREETING="hello\\tworld" # a comment
                URL=http://${DB_HOST}:5432
                """);
        Files.writeString(dir.resolve("more.env"), "DB_HOST=db2\n");
        PipelineConfig config = load("""
                  app:
                    image: app:1
                    envFile: [app.env, more.env]
                    env:
                      GREETING: hi
                """);
        BackendSpec app = config.stage("prep").backend("app").orElseThrow();

        assertThat(app.env()).containsEntry("DB_HOST", "db2").containsEntry("DB_PASSWORD", "s3cr$t")
                .containsEntry("GREETING", "hi").containsEntry("URL", "http://db:5432");
        assertThat(app.secretEnv()).contains("DB_PASSWORD", "DB_HOST", "URL").doesNotContain("GREETING");
        assertThat(app.maskedEnv()).containsEntry("DB_PASSWORD", BackendSpec.MASK);
        assertThat(config.sources().files()).contains(dir.resolve("app.env"), dir.resolve("more.env"));
    }

    @Test
    void aMissingEnvFileOrABrokenLineIsOneLineWithItsPlace() throws IOException {
        assertThat(errorOf("""
                  app:
                    image: app:1
                    envFile: missing.env
                """)).contains("pipeline.yml:6:14: backends.app.envFile: " + dir.resolve("missing.env") + " does not exist");
        Files.writeString(dir.resolve("bad.env"), "OK=1\nNOT A LINE\n");
        assertThat(errorOf("""
                  app:
                    image: app:1
                    envFile: bad.env
                """)).contains(dir.resolve("bad.env") + ":2: 'NOT A LINE' is not a variable name");
    }

    @Test
    void checkKnowsEveryHostNameOfABackend() throws IOException {
        Files.writeString(dir.resolve("conf.d/app.conf"), """
                server {
                    listen 80;
                    server_name app.example.com;
                    location / { proxy_pass http://app.internal:8080; }
                }
                """);
        StageDefinition prep = load("""
                  app:
                    image: app:1
                    aliases: [app.internal, web]
                    port: 8080
                """).stage("prep");

        List<Problem> problems = StagePlan.check(prep, NginxConfig.parse(dir.resolve("conf.d")));

        assertThat(problems).isEmpty();
    }
}
