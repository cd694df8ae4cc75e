package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, validated {@code pipeline.yml} (with its profile overlay merged in): every stage already resolved to
 * its effective definition.
 *
 * @param file          the pipeline.yml that was read
 * @param profile       the overlay profile, if one was selected
 * @param defaultStage  the stage used when neither the annotation nor {@code proxystage.stage} names one
 * @param stages        effective definitions by stage name, in file order
 * @param sources       what the load read, to tell later whether a load would give the same
 */
public record PipelineConfig(Path file, Optional<String> profile, Optional<String> defaultStage,
                             Map<String, StageDefinition> stages, LoadSources sources) {

    public PipelineConfig {
        stages = Collections.unmodifiableMap(new LinkedHashMap<>(stages));
    }

    public List<String> stageNames() {
        return List.copyOf(stages.keySet());
    }

    /** The effective definition of {@code name}, or a one-line error listing the known stages. */
    public StageDefinition stage(String name) {
        StageDefinition stage = stages.get(name);
        if (stage == null) {
            throw new ProxyStageException("stage '" + name + "' is not in " + file.getFileName()
                    + " (known: " + String.join(", ", stages.keySet()) + ")");
        }
        return stage;
    }

    /**
     * The stage to run: the explicit one if given, else {@code defaultStage}, else a one-line error saying how to
     * choose one.
     */
    public StageDefinition select(Optional<String> explicit) {
        Optional<String> name = explicit.filter(s -> !s.isBlank()).or(() -> defaultStage);
        return stage(name.orElseThrow(() -> new ProxyStageException(
                "no stage selected: give @PipelineStage a value, pass -Dproxystage.stage=<stage>, or set defaultStage in "
                        + file.getFileName() + " (known: " + String.join(", ", stages.keySet()) + ")")));
    }
}
