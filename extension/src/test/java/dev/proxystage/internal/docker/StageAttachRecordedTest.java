package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Recorded;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a test JVM may attach to an up's stage by its record alone, reading no YAML and parsing no conf.d: only when
 * what the record says up loaded and serves is what this JVM would load and serve. Everything else is left to the
 * full way, which says what differs.
 */
class StageAttachRecordedTest {

    private static final String PIPELINE = """
            stages:
              prep: {}
              prod: {}
            nginx:
              image: nginx:1.27.3
              confDir: conf.d
            backends:
              vaultwarden:
                image: vaultwarden/server:1.32.7
            """;

    @TempDir
    Path tmp;

    private Path pipeline;
    private PipelineConfigLoader.Options options;

    @BeforeEach
    void aProject() throws IOException {
        Path project = Files.createDirectory(tmp.resolve("project"));
        Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(project.resolve("conf.d/vw.conf"), "server { listen 80; server_name vw.example.com; }\n");
        pipeline = project.resolve("pipeline.yml");
        Files.writeString(pipeline, PIPELINE);
        Files.writeString(project.resolve("pipeline-offline.yml"), "backends:\n  vaultwarden:\n    image: echo\n");
        options = new PipelineConfigLoader.Options(false, tmp.resolve("data"));
    }

    /** What up does when it publishes {@code stage}: CA certificate, fingerprint and record in a CA directory. */
    private Path publish(String stage, long pid) throws IOException {
        PipelineConfig config = PipelineConfigLoader.load(pipeline, Optional.of("offline"), options);
        StageDefinition definition = config.stage(stage);
        Path ca = Files.createDirectory(tmp.resolve("proxystage-pki-" + pid + "-" + stage));
        Files.writeString(ca.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Fingerprint.of(definition).writeTo(ca);
        new StageRecord(DockerEngine.configured().dockerHost(), "127.0.0.1", Labels.hostName(), pid,
                pid == ProcessHandle.current().pid() ? ProcessHandle.current().info().startInstant() : Optional.empty(),
                "1a2b3c4d", stage, "nginx-rp-network-" + stage + "-1a2b3c4d", "nginx-rp-" + stage + "-1a2b3c4d",
                "proxystage/nginx:offline", Map.of(80, 32777),
                List.of(new StageRecord.Backend("vaultwarden", "vaultwarden-" + stage + "-1a2b3c4d", "proxystage/jre:17-offline",
                        Optional.empty(), Optional.empty(), Optional.empty())),
                Optional.of(AttachInputs.of(definition, config.sources()))).writeTo(ca);
        return ca;
    }

    private Optional<Recorded> wanted(String stage, Optional<String> profile) {
        return StageAttach.recorded(tmp, new AttachInputs.Wanted(stage, pipeline, profile, options));
    }

    @Test
    void theSameFilesAndSettingsFindTheStageByItsRecord() throws IOException {
        publish("prep", ProcessHandle.current().pid());
        assertThat(wanted("prep", Optional.of("offline"))).get().extracting(Recorded::runId).isEqualTo("1a2b3c4d");
    }

    @Test
    void anEditedConfDIsLeftToTheFullWayUntilUpServesIt() throws IOException {
        Path ca = publish("prep", ProcessHandle.current().pid());
        Files.writeString(pipeline.resolveSibling("conf.d/vw.conf"), "server { listen 80; server_name vw2.example.com; }\n");
        assertThat(wanted("prep", Optional.of("offline"))).isEmpty();
        // up reloaded it: the fingerprint beside the CA is the new conf.d's
        Fingerprint.of(PipelineConfigLoader.load(pipeline, Optional.of("offline"), options).stage("prep")).writeTo(ca);
        assertThat(wanted("prep", Optional.of("offline"))).isPresent();
    }

    @Test
    void anEditedPipelineOrAnotherProfileIsLeftToTheFullWay() throws IOException {
        publish("prep", ProcessHandle.current().pid());
        assertThat(wanted("prep", Optional.empty())).as("no profile").isEmpty();
        Files.writeString(pipeline, PIPELINE + "# a comment\n");
        assertThat(wanted("prep", Optional.of("offline"))).as("even an edit that changes nothing").isEmpty();
    }

    @Test
    void aDeadUpAnotherStageOrProdIsNeverFoundThisWay() throws IOException {
        publish("prep", 999_999_999L);
        assertThat(wanted("prep", Optional.of("offline"))).as("its up is gone").isEmpty();
        publish("prod", ProcessHandle.current().pid());
        assertThat(wanted("prod", Optional.of("offline"))).as("prod is never shared").isEmpty();
        assertThat(wanted("seed", Optional.of("offline"))).isEmpty();
    }

    @Test
    void aRecordOfAnOlderVersionWithoutInputsIsLeftToTheFullWay() throws IOException {
        Path ca = publish("prep", ProcessHandle.current().pid());
        StageRecord old = StageRecord.read(ca.resolve(StageRecord.FILE));
        new StageRecord(old.engine(), old.publishedHost(), old.host(), old.pid(), old.started(), old.runId(), old.stage(),
                old.network(), old.nginx(), old.nginxImage(), old.nginxPorts(), old.backends(), Optional.empty()).writeTo(ca);
        assertThat(wanted("prep", Optional.of("offline"))).isEmpty();
    }
}
