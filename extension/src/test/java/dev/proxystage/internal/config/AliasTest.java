package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend aliases are host names on the stage network: Docker allows dots in them, and compose files use them. */
class AliasTest {

    @TempDir
    Path dir;

    private PipelineConfig load(String backends) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                backends:
                """ + backends);
        return PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty());
    }

    @Test
    void aDottedAliasIsAccepted() throws IOException {
        PipelineConfig pipeline = load("""
                  prosody: {image: echo, alias: xmpp.meet.example, port: 5280}
                """);

        assertThat(pipeline.stage("prep").backend("prosody").orElseThrow().alias()).isEqualTo("xmpp.meet.example");
    }

    @Test
    void aPassToADottedAliasReachesThatBackend() throws IOException {
        PipelineConfig pipeline = load("""
                  prosody: {image: echo, alias: xmpp.meet.example, port: 5280}
                """);
        Files.writeString(dir.resolve("conf.d/meet.conf"), """
                server {
                    listen 80;
                    location /http-bind { proxy_pass http://xmpp.meet.example:5280/http-bind; }
                }
                """);
        StageDefinition prep = pipeline.stage("prep");

        assertThat(StagePlan.check(prep, NginxConfig.parse(prep.nginx().parseRequest()))).isEmpty();
    }

    @Test
    void aDottedBackendNameIsItsOwnAlias() throws IOException {
        PipelineConfig pipeline = load("""
                  xmpp.meet.example: {image: echo}
                """);

        assertThat(pipeline.stage("prep").backend("xmpp.meet.example").orElseThrow().alias())
                .isEqualTo("xmpp.meet.example");
    }

    @Test
    void emptyLabelsAndOtherCharactersAreStillRefusedAtTheirLine() throws IOException {
        assertThatThrownBy(() -> load("""
                  prosody: {image: echo, alias: xmpp..meet}
                """)).isInstanceOf(ProxyStageException.class).hasMessage(dir.resolve("pipeline.yml") + ":4:33:"
                + " backends.prosody.alias 'xmpp..meet' is not a valid host name (labels of lower-case letters,"
                + " digits, '-' and '_', joined by '.', at most 63 characters)");
        assertThatThrownBy(() -> load("""
                  prosody: {image: echo, alias: .meet}
                """)).hasMessageContaining("'.meet' is not a valid host name");
        assertThatThrownBy(() -> load("""
                  prosody: {image: echo, alias: "meet x"}
                """)).hasMessageContaining("'meet x' is not a valid host name");
        // Docker's aliases take '_' (compose service names): no error.
        load("""
                  prosody: {image: echo, alias: immich_server}
                """);
    }
}
