package dev.proxystage.internal.runtime;

import dev.proxystage.Settings;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A pipeline.yml as the command line sees it: loaded and validated, its stages by name. */
public final class Pipeline {

    private final PipelineConfig config;

    private Pipeline(PipelineConfig config) {
        this.config = config;
    }

    /** The pipeline {@code settings} name (file, profile, data and fault settings), loaded and validated. */
    public static Pipeline load(Settings settings) {
        return new Pipeline(PipelineConfigLoader.load(settings.config(), settings.profile(), Run.options(settings)));
    }

    /** The overlay of {@code profile} beside the pipeline file {@code config}: {@code pipeline-<profile>.yml}. */
    public static Path overlayPath(Path config, String profile) {
        return PipelineConfigLoader.overlayPath(config, profile);
    }

    public List<String> stageNames() {
        return config.stageNames();
    }

    public Optional<String> defaultStage() {
        return config.defaultStage();
    }

    /** The name of the stage to run: {@code stage}, else the default one; fails naming the known stages. */
    public String select(Optional<String> stage) {
        return config.select(stage).name();
    }

    PipelineConfig config() {
        return config;
    }

    StageDefinition definition(String stage) {
        return config.stage(stage);
    }
}
