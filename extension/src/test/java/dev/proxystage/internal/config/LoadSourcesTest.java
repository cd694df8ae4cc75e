package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a load of pipeline.yml depended on, and when a load now would depend on the same. */
class LoadSourcesTest {

    private static final String PIPELINE = """
            defaultStage: prep
            stages:
              prep: {}
            nginx:
              image: nginx:1.27.3
              confDir: conf.d
            backends:
              vaultwarden:
                image: vaultwarden/server:1.32.7
                env:
                  HOME_DIR: ${env:HOME}
            """;

    @TempDir
    Path dir;

    private Path pipeline;
    private PipelineConfigLoader.Options options;

    @BeforeEach
    void aPipelineWithAnOverlay() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        pipeline = dir.resolve("pipeline.yml");
        Files.writeString(pipeline, PIPELINE);
        Files.writeString(dir.resolve("pipeline-offline.yml"), "backends:\n  vaultwarden:\n    image: echo\n");
        options = new PipelineConfigLoader.Options(false, dir.resolve("data"));
    }

    private LoadSources loaded() {
        return PipelineConfigLoader.load(pipeline, Optional.of("offline"), options).sources();
    }

    @Test
    void aLoadNamesTheFilesItReadInOrderAndTheVariablesItTook() {
        LoadSources sources = loaded();
        assertThat(sources.files()).containsExactly(pipeline.toAbsolutePath().normalize(),
                dir.resolve("pipeline-offline.yml").toAbsolutePath().normalize());
        assertThat(sources.environment()).containsExactly("HOME");
        assertThat(sources.digest()).hasSize(32);
    }

    @Test
    void theSameFilesAndSettingsGiveTheSameDigestNow() {
        LoadSources sources = loaded();
        assertThat(sources.digestNow(pipeline, Optional.of("offline"), options)).contains(sources.digest());
        assertThat(loaded().digest()).isEqualTo(sources.digest());
    }

    @Test
    void anEditedOverlayChangesTheDigestEvenAtTheSameLength() throws IOException {
        LoadSources sources = loaded();
        Files.writeString(dir.resolve("pipeline-offline.yml"), "backends:\n  vaultwarden:\n    image: ecko\n");
        assertThat(sources.digestNow(pipeline, Optional.of("offline"), options)).isPresent()
                .get().isNotEqualTo(sources.digest());
    }

    @Test
    void anotherProfilePersistOrDataRootIsAnotherLoad() {
        LoadSources sources = loaded();
        assertThat(sources.digestNow(pipeline, Optional.empty(), options)).get().isNotEqualTo(sources.digest());
        assertThat(sources.digestNow(pipeline, Optional.of("offline"), new PipelineConfigLoader.Options(true, dir.resolve("data"))))
                .get().isNotEqualTo(sources.digest());
        assertThat(sources.digestNow(pipeline, Optional.of("offline"), new PipelineConfigLoader.Options(false, dir.resolve("elsewhere"))))
                .get().isNotEqualTo(sources.digest());
    }

    @Test
    void anotherPipelineFileWithTheSameBytesIsAnotherLoad() throws IOException {
        LoadSources sources = loaded();
        Path copy = Files.copy(pipeline, dir.resolve("copy.yml"));
        assertThat(sources.digestNow(copy, Optional.of("offline"), options)).get().isNotEqualTo(sources.digest());
    }

    @Test
    void aFileThatIsGoneGivesNoDigest() throws IOException {
        LoadSources sources = loaded();
        Files.delete(dir.resolve("pipeline-offline.yml"));
        assertThat(sources.digestNow(pipeline, Optional.of("offline"), options)).isEmpty();
    }

    @Test
    void theValuesOfTheVariablesTakenArePartOfTheDigest() {
        LoadSources sources = loaded();
        assertThat(new LoadSources(sources.digest(), sources.files(), List.of()).digestNow(pipeline, Optional.of("offline"), options))
                .as("the variable's value is part of the digest").get().isNotEqualTo(sources.digest());
    }
}
