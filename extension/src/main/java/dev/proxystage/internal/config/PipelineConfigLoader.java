package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Loads {@code pipeline.yml}, deep-merges the profile overlay ({@code pipeline-<profile>.yml} beside it) and each
 * stage's overrides, and validates the result. Every problem is one line that names {@code file:line:column} and
 * the key path; all problems of a run are reported together ({@link ConfigProblems}).
 *
 * <p>The jobs are split: {@link YamlLoader} reads a file within limits, {@link StageDocuments} gives each stage its
 * merged YAML, {@link StageReader} and {@link BackendReader} read values ({@link Values}) against the
 * {@link Schema}, and {@link DataIsolation} holds the rules between stages.
 */
public final class PipelineConfigLoader {

    public static final String DEFAULT_ECHO_IMAGE = "eclipse-temurin:17-jre";

    /** The stage whose data is production's. */
    public static final String PROD = DataIsolation.PROD;

    /** A profile names a file beside pipeline.yml, never one elsewhere. */
    private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    /**
     * What loading takes from the settings: data persistence for every backend, where persisted data lives, and
     * whether every backend gets the fault proxy in its path.
     */
    public record Options(boolean persistAll, Path dataRoot, boolean faultsAll) {

        /** Without the fault proxy unless pipeline.yml asks for it. */
        public Options(boolean persistAll, Path dataRoot) {
            this(persistAll, dataRoot, false);
        }

        /** No persistence unless pipeline.yml asks, data under {@code ~/.proxystage/data}. */
        public static Options defaults() {
            return new Options(false, Path.of(System.getProperty("user.home"), ".proxystage", "data"));
        }
    }

    private final Options options;
    private final Supplier<HostPaths> hostPaths;

    private PipelineConfigLoader(Options options, Supplier<HostPaths> hostPaths) {
        this.options = options;
        this.hostPaths = hostPaths;
    }

    /** Loads with {@link Options#defaults()}. */
    public static PipelineConfig load(Path file, Optional<String> profile) {
        return load(file, profile, Options.defaults());
    }

    /** Loads {@code file}, merged with the overlay of {@code profile} when one is given. */
    public static PipelineConfig load(Path file, Optional<String> profile, Options options) {
        return new PipelineConfigLoader(options, HostPaths::ofThisHost).loadFile(file, profile);
    }

    /** As {@link #load(Path, Optional, Options)}, judging {@code hostPath}s by {@code hostPaths} (for tests). */
    static PipelineConfig load(Path file, Optional<String> profile, Options options, HostPaths hostPaths) {
        return new PipelineConfigLoader(options, () -> hostPaths).loadFile(file, profile);
    }

    private PipelineConfig loadFile(Path file, Optional<String> profile) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new ProxyStageException("pipeline configuration not found: " + absolute
                    + " (set -Dproxystage.config=<path> to point at it)");
        }
        Optional<String> selected = profile.map(String::strip).filter(p -> !p.isEmpty());
        if (selected.isPresent() && (!PROFILE.matcher(selected.get()).matches() || selected.get().contains(".."))) {
            throw new ProxyStageException("profile '" + selected.get() + "' is not a valid profile name (letters,"
                    + " digits, '.', '_' and '-', at most 63, no path separators): it names the overlay file"
                    + " pipeline-<profile>.yml beside " + absolute.getFileName());
        }
        LoadSources.Reading reading = new LoadSources.Reading(absolute, selected, options);
        YamlNode root = YamlLoader.load(file, reading);
        if (selected.isPresent()) {
            Path overlay = overlayPath(file, selected.get());
            if (!Files.exists(overlay)) {
                throw new ProxyStageException("profile '" + selected.get() + "' selected, but its overlay "
                        + overlay.toAbsolutePath().normalize() + " does not exist");
            }
            YamlNode overlayRoot = YamlLoader.load(overlay, reading);
            Values.requireMap(root);
            Values.requireMap(overlayRoot);
            root = YamlNode.merge(root, overlayRoot);
        }
        return read(file, selected, root, reading);
    }

    /** {@code pipeline.yml} + {@code offline} gives {@code pipeline-offline.yml} in the same directory. */
    public static Path overlayPath(Path file, String profile) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return file.resolveSibling(stem + "-" + profile + ext);
    }

    private PipelineConfig read(Path file, Optional<String> profile, YamlNode root, LoadSources.Reading reading) {
        ConfigProblems problems = new ConfigProblems();
        StageDocuments documents = StageDocuments.of(root, problems);
        StageReader reader = new StageReader(options, file.toAbsolutePath().normalize().getParent(), problems, reading,
                hostPaths);
        Map<String, StageDefinition> stages = new LinkedHashMap<>();
        Map<String, String> dataLocations = new LinkedHashMap<>();
        documents.effective.forEach((name, effective) -> reader.read(name, documents.names(), effective, dataLocations)
                .ifPresent(stage -> stages.put(name, stage)));
        if (problems.isEmpty()) {
            DataIsolation.check(stages, dataLocations, problems);
        }
        problems.throwIfAny();
        return new PipelineConfig(file, profile, documents.defaultStage, stages, reading.done());
    }
}
