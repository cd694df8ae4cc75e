package dev.proxystage.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {

    @TempDir
    Path project;

    @BeforeEach
    void pipeline() throws Exception {
        Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(project.resolve("conf.d/app.conf"), "server { listen 80; location / { proxy_pass http://app:80; } }\n");
        writePipeline("echo");
    }

    private void writePipeline(String image) throws Exception {
        Files.writeString(project.resolve("pipeline.yml"), "stages: [wip, prep]\n"
                + "nginx:\n  image: nginx:1.27.3\n  confDir: conf.d\n"
                + "backends:\n  app:\n    image: " + image + "\n    env:\n      B: two\n      A: one\n");
    }

    private StageDefinition prep() {
        return PipelineConfigLoader.load(project.resolve("pipeline.yml"), Optional.empty()).stage("prep");
    }

    @Test
    void theSameStageHasTheSameFingerprintAndItsLabelFormRoundTrips() {
        Fingerprint first = Fingerprint.of(prep());
        assertThat(Fingerprint.of(prep())).isEqualTo(first);
        assertThat(first.difference(Fingerprint.of(prep()))).isEmpty();
        assertThat(Fingerprint.parse(first.value())).contains(first);
        assertThat(Fingerprint.parse("garbage")).isEmpty();
    }

    @Test
    void anEditedConfDIsSaidToDifferAndSoIsAnotherDefinition() throws Exception {
        Fingerprint before = Fingerprint.of(prep());
        Files.writeString(project.resolve("conf.d/app.conf"), "server { listen 81; location / { proxy_pass http://app:80; } }\n");
        Fingerprint edited = Fingerprint.of(prep());
        assertThat(edited.definition()).isEqualTo(before.definition());
        assertThat(edited.difference(before)).hasValueSatisfying(why -> assertThat(why)
                .isEqualTo("its conf.d differs (fingerprint " + before.value() + ", wanted " + edited.value() + ")"));

        writePipeline("nginx:1.27.3");
        assertThat(Fingerprint.of(prep()).difference(edited)).hasValueSatisfying(why -> assertThat(why)
                .startsWith("its definition differs (fingerprint " + edited.value()));
    }

    @Test
    void aNewFileInConfDChangesIt() throws Exception {
        Fingerprint before = Fingerprint.of(prep());
        Files.writeString(project.resolve("conf.d/extra.conf"), "");
        assertThat(Fingerprint.of(prep()).files()).isNotEqualTo(before.files());
    }

    @Test
    void mapsAreHashedByContentNotByTheirOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        assertThat(Fingerprint.canonical(ab)).isEqualTo(Fingerprint.canonical(ba));
        assertThat(Fingerprint.canonical(Optional.of("x"))).isNotEqualTo(Fingerprint.canonical(Optional.of("y")));
    }

    @Test
    void itIsKeptInAFileThatReadsBack() {
        Fingerprint fingerprint = Fingerprint.of(prep());
        assertThat(Fingerprint.readFrom(project)).isEmpty();
        fingerprint.writeTo(project);
        assertThat(Fingerprint.readFrom(project)).contains(fingerprint);
        try (var files = Files.list(project)) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("fingerprint.tmp").contains("fingerprint");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
