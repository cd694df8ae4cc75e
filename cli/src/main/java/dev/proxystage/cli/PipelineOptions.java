package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that name a pipeline: the file and its overlay profile. */
final class PipelineOptions {

    @Option(names = "--config", paramLabel = "<pipeline.yml>", defaultValue = "pipeline.yml",
            description = "The pipeline file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--profile", paramLabel = "<profile>",
            description = "Merge the overlay pipeline-<profile>.yml beside the pipeline file, e.g. offline.")
    String profile;

    /** The settings these options give, over the JVM's system properties: read once, here at the edge. */
    Settings settings() {
        return Settings.fromSystemProperties().toBuilder().config(config).profile(profile).build();
    }

    /** The pipeline, loaded and validated; a missing file names the option that sets it (the loader explains the rest). */
    PipelineConfig load() {
        return load(settings());
    }

    PipelineConfig load(Settings settings) {
        if (!Files.exists(config)) {
            throw new ProxyStageException("pipeline configuration not found: " + config.toAbsolutePath().normalize()
                    + " (pass --config <path>)");
        }
        return PipelineConfigLoader.load(config, settings.profile(),
                new PipelineConfigLoader.Options(settings.persist(), settings.dataRoot(), settings.faults()));
    }
}
