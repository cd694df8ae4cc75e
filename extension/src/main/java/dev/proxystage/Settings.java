package dev.proxystage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting of ProxyStage, read once at the edge (JUnit configuration parameters, system properties, CLI
 * flags, the {@link ProxyStage} builder) and passed down; nothing below the edge reads a system property.
 *
 * @param config            the pipeline file ({@code proxystage.config}, default {@code pipeline.yml})
 * @param profile           the overlay to merge ({@code proxystage.profile})
 * @param stage             the stage of classes whose annotation names none ({@code proxystage.stage})
 * @param stages            the stages {@code @ForEachStage} matrices are narrowed to; empty: all ({@code proxystage.stages})
 * @param restartDeadStages restart a stage whose container died instead of failing the next test
 * @param skipWithoutDocker abort (skip) stage tests when no engine answers, instead of failing them
 * @param allowProd         let the {@code prod} stage run
 * @param persist           persist every backend's data under {@code dataRoot}
 * @param dataRoot          where persisted data lives
 * @param pullStallTimeout  how long a pull may go without any answer from the registry
 * @param engine            the container engine: {@code docker}, or the class name of another implementation
 * @param publishHost       the address published ports are bound to and reached on ({@code proxystage.publishHost});
 *                          empty: loopback for a local engine, the engine's own address for a remote one
 * @param attach            use the stage an {@code up} of the same pipeline, profile and stage holds, when its
 *                          definition and conf.d match, instead of starting one ({@code proxystage.attach})
 */
public record Settings(Path config, Optional<String> profile, Optional<String> stage, List<String> stages,
                       boolean restartDeadStages, boolean skipWithoutDocker, boolean allowProd, boolean persist,
                       Path dataRoot, Duration pullStallTimeout, String engine, Optional<String> publishHost,
                       boolean attach) {

    public static final String CONFIG = "proxystage.config";
    public static final String PROFILE = "proxystage.profile";
    public static final String STAGE = "proxystage.stage";
    public static final String STAGES = "proxystage.stages";
    public static final String RESTART_DEAD_STAGES = "proxystage.restartDeadStages";
    public static final String SKIP_WITHOUT_DOCKER = "proxystage.skipWithoutDocker";
    public static final String ALLOW_PROD = "proxystage.allowProd";
    public static final String PERSIST = "proxystage.persist";
    public static final String DATA_ROOT = "proxystage.dataRoot";
    public static final String PULL_STALL_TIMEOUT = "proxystage.pullStallTimeout";
    public static final String ENGINE = "proxystage.engine";
    public static final String PUBLISH_HOST = "proxystage.publishHost";
    public static final String ATTACH = "proxystage.attach";

    public Settings {
        Objects.requireNonNull(config, "config");
        profile = profile.map(String::strip).filter(p -> !p.isEmpty());
        stage = stage.map(String::strip).filter(s -> !s.isEmpty());
        stages = List.copyOf(stages);
        Objects.requireNonNull(dataRoot, "dataRoot");
        Objects.requireNonNull(pullStallTimeout, "pullStallTimeout");
        Objects.requireNonNull(engine, "engine");
        publishHost = publishHost.map(String::strip).filter(h -> !h.isEmpty());
    }

    /** The defaults, with the data root from {@code $DATA_ROOT} or {@code ~/.proxystage/data}. */
    public static Settings defaults() {
        return from(name -> Optional.empty());
    }

    /** The settings the JVM's system properties give. */
    public static Settings fromSystemProperties() {
        return from(name -> Optional.ofNullable(System.getProperty(name)));
    }

    /**
     * The settings that {@code lookup} gives by property name (for example JUnit's configuration parameters); a
     * bad value fails with one line naming the property.
     */
    public static Settings from(Function<String, Optional<String>> lookup) {
        Function<String, Optional<String>> get = name -> lookup.apply(name).map(String::strip).filter(v -> !v.isEmpty());
        List<String> stages = get.apply(STAGES)
                .map(list -> Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList())
                .orElse(List.of());
        Path dataRoot = get.apply(DATA_ROOT).or(() -> Optional.ofNullable(System.getenv("DATA_ROOT")).filter(v -> !v.isBlank()))
                .map(v -> Path.of(v).toAbsolutePath().normalize())
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".proxystage", "data"));
        Duration stall = get.apply(PULL_STALL_TIMEOUT).map(v -> {
            try {
                long seconds = Long.parseLong(v);
                if (seconds <= 0) {
                    throw new NumberFormatException();
                }
                return Duration.ofSeconds(seconds);
            } catch (NumberFormatException e) {
                throw new ProxyStageException(PULL_STALL_TIMEOUT + " must be a positive number of seconds, got '" + v + "'");
            }
        }).orElse(Duration.ofSeconds(15));
        return new Settings(Path.of(get.apply(CONFIG).orElse("pipeline.yml")), get.apply(PROFILE), get.apply(STAGE), stages,
                flag(get, RESTART_DEAD_STAGES), flag(get, SKIP_WITHOUT_DOCKER), flag(get, ALLOW_PROD), flag(get, PERSIST),
                dataRoot, stall, get.apply(ENGINE).orElse("docker"), get.apply(PUBLISH_HOST),
                flag(get, ATTACH));
    }

    private static boolean flag(Function<String, Optional<String>> get, String name) {
        return get.apply(name).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ProxyStageException(name + " must be true or false, got '" + v + "'");
        }).orElse(false);
    }

    public Settings withConfig(Path file) {
        return new Settings(file, profile, stage, stages, restartDeadStages, skipWithoutDocker, allowProd, persist,
                dataRoot, pullStallTimeout, engine, publishHost, attach);
    }

    public Settings withProfile(String name) {
        return new Settings(config, Optional.ofNullable(name), stage, stages, restartDeadStages, skipWithoutDocker,
                allowProd, persist, dataRoot, pullStallTimeout, engine, publishHost, attach);
    }

    public Settings withStage(String name) {
        return new Settings(config, profile, Optional.ofNullable(name), stages, restartDeadStages, skipWithoutDocker,
                allowProd, persist, dataRoot, pullStallTimeout, engine, publishHost, attach);
    }

    public Settings withPersist(boolean on) {
        return new Settings(config, profile, stage, stages, restartDeadStages, skipWithoutDocker, allowProd, on,
                dataRoot, pullStallTimeout, engine, publishHost, attach);
    }

    public Settings withAllowProd(boolean on) {
        return new Settings(config, profile, stage, stages, restartDeadStages, skipWithoutDocker, on, persist,
                dataRoot, pullStallTimeout, engine, publishHost, attach);
    }

    public Settings withEngine(String name) {
        return new Settings(config, profile, stage, stages, restartDeadStages, skipWithoutDocker, allowProd, persist,
                dataRoot, pullStallTimeout, name, publishHost, attach);
    }

    public Settings withPublishHost(String host) {
        return new Settings(config, profile, stage, stages, restartDeadStages, skipWithoutDocker, allowProd, persist,
                dataRoot, pullStallTimeout, engine, Optional.ofNullable(host), attach);
    }

    public Settings withAttach(boolean on) {
        return new Settings(config, profile, stage, stages, restartDeadStages, skipWithoutDocker, allowProd, persist,
                dataRoot, pullStallTimeout, engine, publishHost, on);
    }
}
