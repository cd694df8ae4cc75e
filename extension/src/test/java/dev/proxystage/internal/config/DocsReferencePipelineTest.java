package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pipeline.yml reference the docs show (cut from this very file) loads, with every stage it names. */
class DocsReferencePipelineTest {

    private static final Path REFERENCE = Path.of("src/test/resources/docs/reference/project/tests/pipeline.yml");

    @Test
    void theDocsReferenceLoads() {
        PipelineConfig pipeline = PipelineConfigLoader.load(REFERENCE, Optional.empty());

        assertThat(pipeline.stageNames()).containsExactly("seed", "wip", "prep", "ship", "prod");
        assertThat(pipeline.stage("wip").backends()).singleElement()
                .satisfies(b -> assertThat(b.image()).isEqualTo("vaultwarden/server:1.33.0"));
        assertThat(pipeline.stage("prep").backends()).singleElement()
                .satisfies(b -> assertThat(b.image()).isEqualTo("vaultwarden/server:1.32.7"));
    }
}
