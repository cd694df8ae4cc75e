package dev.proxystage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Every setting of ProxyStage, read once at the edge (JUnit configuration parameters, system properties, CLI
 * flags, the {@link ProxyStage} builder) and passed down; nothing below the edge reads a system property. An
 * immutable value: {@link #toBuilder()} gives a builder to change some of it, so a new setting is a field here and a
 * method on the {@link Builder}, and breaks no caller.
 *
 * <p>The settings, by accessor:
 * <br>{@code config()}: the pipeline file ({@code proxystage.config}, default {@code pipeline.yml})
 * <br>{@code profile()}: the overlay to merge ({@code proxystage.profile})
 * <br>{@code stage()}: the stage of classes whose annotation names none ({@code proxystage.stage})
 * <br>{@code stages()}: the stages {@code @ForEachStage} matrices are narrowed to; empty: all ({@code proxystage.stages})
 * <br>{@code restartDeadStages()}: restart a stage whose container died instead of failing the next test
 * <br>{@code skipWithoutDocker()}: abort (skip) stage tests when no engine answers, instead of failing them
 * <br>{@code allowProd()}: let the {@code prod} stage run
 * <br>{@code persist()}: persist every backend's data under {@code dataRoot}
 * <br>{@code dataRoot()}: where persisted data lives
 * <br>{@code pullStallTimeout()}: how long a pull may go without any answer from the registry
 * <br>{@code engine()}: the container engine: {@code docker}, or the class name of another implementation
 * <br>{@code publishHost()}: the address published ports are bound to and reached on ({@code proxystage.publishHost});
 *     empty: loopback for a local engine, the engine's own address for a remote one
 * <br>{@code nginxLogGate()}: fail a test when nginx logs {@code [alert]}, {@code [crit]} or {@code [emerg]} while it
 *     runs ({@code proxystage.nginxLogGate}, default true)
 * <br>{@code attach()}: use the stage an {@code up} of the same pipeline, profile and stage holds, when its
 *     definition and conf.d match, instead of starting one ({@code proxystage.attach})
 * <br>{@code faults()}: put the fault proxy in every backend's path, as {@code faults: true} does for one
 *     ({@code proxystage.faults})
 * <br>{@code coverageMinimum()}: the percentage of a stage's locations its tests must reach, else the run fails listing
 *     the others ({@code proxystage.coverage.minimum}); empty: no gate
 * <br>{@code promotionSameAs()}: the stage every other stage of the run must answer the route tables as, else the run
 *     fails listing the drifted routes ({@code proxystage.promotion.sameAs}); empty: no gate
 */
public final class Settings {

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
    public static final String NGINX_LOG_GATE = "proxystage.nginxLogGate";
    public static final String FAULTS = "proxystage.faults";
    public static final String COVERAGE_MINIMUM = "proxystage.coverage.minimum";
    public static final String REPORT = "proxystage.report";
    public static final String PROMOTION_SAME_AS = "proxystage.promotion.sameAs";
    /** The report's directory by default, relative to the working directory (the module's, under Maven). */
    public static final Path DEFAULT_REPORT = Path.of("target", "proxystage");

    private final Path config;
    private final Optional<String> profile;
    private final Optional<String> stage;
    private final List<String> stages;
    private final boolean restartDeadStages;
    private final boolean skipWithoutDocker;
    private final boolean allowProd;
    private final boolean persist;
    private final Path dataRoot;
    private final Duration pullStallTimeout;
    private final String engine;
    private final Optional<String> publishHost;
    private final boolean attach;
    private final boolean nginxLogGate;
    private final boolean faults;
    private final OptionalDouble coverageMinimum;
    private final Optional<Path> report;
    private final Optional<String> promotionSameAs;

    private Settings(Builder b) {
        config = b.config;
        profile = b.profile;
        stage = b.stage;
        stages = List.copyOf(b.stages);
        restartDeadStages = b.restartDeadStages;
        skipWithoutDocker = b.skipWithoutDocker;
        allowProd = b.allowProd;
        persist = b.persist;
        dataRoot = b.dataRoot;
        pullStallTimeout = b.pullStallTimeout;
        engine = b.engine;
        publishHost = b.publishHost;
        attach = b.attach;
        nginxLogGate = b.nginxLogGate;
        faults = b.faults;
        coverageMinimum = b.coverageMinimum;
        report = b.report;
        promotionSameAs = b.promotionSameAs;
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
        OptionalDouble minimum = get.apply(COVERAGE_MINIMUM).map(Settings::percent).orElse(OptionalDouble.empty());
        return new Builder()
                .config(Path.of(get.apply(CONFIG).orElse("pipeline.yml")))
                .profile(get.apply(PROFILE))
                .stage(get.apply(STAGE))
                .stages(stages)
                .restartDeadStages(flag(get, RESTART_DEAD_STAGES))
                .skipWithoutDocker(flag(get, SKIP_WITHOUT_DOCKER))
                .allowProd(flag(get, ALLOW_PROD))
                .persist(flag(get, PERSIST))
                .dataRoot(dataRoot)
                .pullStallTimeout(stall)
                .engine(get.apply(ENGINE).orElse("docker"))
                .publishHost(get.apply(PUBLISH_HOST))
                .attach(flag(get, ATTACH))
                .nginxLogGate(get.apply(NGINX_LOG_GATE).isEmpty() || flag(get, NGINX_LOG_GATE))
                .faults(flag(get, FAULTS))
                .coverageMinimum(minimum)
                .report(reportDirectory(get.apply(REPORT)))
                .promotionSameAs(get.apply(PROMOTION_SAME_AS))
                .build();
    }

    /** {@code 80}, {@code 87.5} or {@code 80%}: a percentage from 0 to 100. */
    private static OptionalDouble percent(String v) {
        try {
            double value = Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1).strip() : v);
            if (!(value >= 0 && value <= 100)) {
                throw new NumberFormatException();
            }
            return OptionalDouble.of(value);
        } catch (NumberFormatException e) {
            throw new ProxyStageException(COVERAGE_MINIMUM + " must be a percentage from 0 to 100, got '" + v + "'");
        }
    }

    /** {@value #REPORT}: a directory, {@code false} for none, unset for {@link #DEFAULT_REPORT}. */
    private static Optional<Path> reportDirectory(Optional<String> value) {
        if (value.isEmpty()) {
            return Optional.of(DEFAULT_REPORT);
        }
        return value.get().equals("false") ? Optional.empty() : Optional.of(Path.of(value.get()));
    }

    private static boolean flag(Function<String, Optional<String>> get, String name) {
        return get.apply(name).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ProxyStageException(name + " must be true or false, got '" + v + "'");
        }).orElse(false);
    }

    public Path config() {
        return config;
    }

    public Optional<String> profile() {
        return profile;
    }

    public Optional<String> stage() {
        return stage;
    }

    public List<String> stages() {
        return stages;
    }

    public boolean restartDeadStages() {
        return restartDeadStages;
    }

    public boolean skipWithoutDocker() {
        return skipWithoutDocker;
    }

    public boolean allowProd() {
        return allowProd;
    }

    public boolean persist() {
        return persist;
    }

    public Path dataRoot() {
        return dataRoot;
    }

    public Duration pullStallTimeout() {
        return pullStallTimeout;
    }

    public String engine() {
        return engine;
    }

    public Optional<String> publishHost() {
        return publishHost;
    }

    public boolean attach() {
        return attach;
    }

    public boolean nginxLogGate() {
        return nginxLogGate;
    }

    public boolean faults() {
        return faults;
    }

    public OptionalDouble coverageMinimum() {
        return coverageMinimum;
    }

    /** Where a test run writes its report ({@code index.html}) when it ends; empty: no report. */
    public Optional<Path> report() {
        return report;
    }

    /**
     * The promotion gate of a test run: the stage (the baseline) that every other stage the run's route tables ran on
     * must answer each route as, unless the table says the route differs there on purpose; empty: no gate.
     */
    public Optional<String> promotionSameAs() {
        return promotionSameAs;
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.config = config;
        b.profile = profile;
        b.stage = stage;
        b.stages = stages;
        b.restartDeadStages = restartDeadStages;
        b.skipWithoutDocker = skipWithoutDocker;
        b.allowProd = allowProd;
        b.persist = persist;
        b.dataRoot = dataRoot;
        b.pullStallTimeout = pullStallTimeout;
        b.engine = engine;
        b.publishHost = publishHost;
        b.report = report;
        b.attach = attach;
        b.nginxLogGate = nginxLogGate;
        b.faults = faults;
        b.coverageMinimum = coverageMinimum;
        b.promotionSameAs = promotionSameAs;
        return b;
    }

    /** A builder of the defaults (as {@link #defaults()} without {@code $DATA_ROOT}). */
    public static Builder builder() {
        return new Builder();
    }

    private Object[] values() {
        return new Object[] {config, profile, stage, stages, restartDeadStages, skipWithoutDocker, allowProd, persist,
                dataRoot, pullStallTimeout, engine, publishHost, attach, nginxLogGate, faults, coverageMinimum, report,
                promotionSameAs};
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Settings s && Arrays.equals(values(), s.values());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values());
    }

    @Override
    public String toString() {
        return "Settings[config=" + config + ", profile=" + profile.orElse("") + ", stage=" + stage.orElse("")
                + ", stages=" + stages + ", restartDeadStages=" + restartDeadStages + ", skipWithoutDocker="
                + skipWithoutDocker + ", allowProd=" + allowProd + ", persist=" + persist + ", dataRoot=" + dataRoot
                + ", pullStallTimeout=" + pullStallTimeout + ", engine=" + engine + ", publishHost="
                + publishHost.orElse("") + ", attach=" + attach + ", nginxLogGate=" + nginxLogGate + ", faults=" + faults
                + ", coverageMinimum=" + (coverageMinimum.isPresent() ? coverageMinimum.getAsDouble() : "") + ", report="
                + report.map(Path::toString).orElse("false") + ", promotionSameAs=" + promotionSameAs.orElse("") + "]";
    }

    /**
     * Changes some settings. Nothing takes {@code null}: an optional setting is set with its value (a blank string
     * means "not set"), with an {@link Optional}, or cleared with its {@code noX()} method.
     */
    public static final class Builder {

        private Path config = Path.of("pipeline.yml");
        private Optional<String> profile = Optional.empty();
        private Optional<String> stage = Optional.empty();
        private List<String> stages = List.of();
        private boolean restartDeadStages;
        private boolean skipWithoutDocker;
        private boolean allowProd;
        private boolean persist;
        private Path dataRoot = Path.of(System.getProperty("user.home"), ".proxystage", "data");
        private Duration pullStallTimeout = Duration.ofSeconds(15);
        private String engine = "docker";
        private Optional<String> publishHost = Optional.empty();
        private boolean attach;
        private boolean nginxLogGate = true;
        private boolean faults;
        private OptionalDouble coverageMinimum = OptionalDouble.empty();
        private Optional<Path> report = Optional.of(DEFAULT_REPORT);
        private Optional<String> promotionSameAs = Optional.empty();

        private Builder() {
        }

        /** The pipeline file ({@value Settings#CONFIG}). */
        public Builder config(Path file) {
            this.config = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The overlay to merge ({@value Settings#PROFILE}). */
        public Builder profile(String name) {
            return profile(Optional.of(name));
        }

        /** As {@link #profile(String)}; empty: none. */
        public Builder profile(Optional<String> name) {
            this.profile = optional(name);
            return this;
        }

        /** No overlay: pipeline.yml alone. */
        public Builder noProfile() {
            return profile(Optional.empty());
        }

        /** The stage of classes whose annotation names none ({@value Settings#STAGE}). */
        public Builder stage(String name) {
            return stage(Optional.of(name));
        }

        /** As {@link #stage(String)}; empty: pipeline.yml's default. */
        public Builder stage(Optional<String> name) {
            this.stage = optional(name);
            return this;
        }

        /** No stage named: pipeline.yml's defaultStage. */
        public Builder noStage() {
            return stage(Optional.empty());
        }

        /** The stages {@code @ForEachStage} matrices are narrowed to; empty: all ({@value Settings#STAGES}). */
        public Builder stages(List<String> names) {
            this.stages = List.copyOf(names);
            return this;
        }

        /** Restart a stage whose container died instead of failing the next test ({@value Settings#RESTART_DEAD_STAGES}). */
        public Builder restartDeadStages(boolean on) {
            this.restartDeadStages = on;
            return this;
        }

        /** Abort (skip) stage tests when no engine answers, instead of failing them ({@value Settings#SKIP_WITHOUT_DOCKER}). */
        public Builder skipWithoutDocker(boolean on) {
            this.skipWithoutDocker = on;
            return this;
        }

        /** Let the {@code prod} stage run ({@value Settings#ALLOW_PROD}). */
        public Builder allowProd(boolean on) {
            this.allowProd = on;
            return this;
        }

        /** Persist every backend's data under the data root ({@value Settings#PERSIST}). */
        public Builder persist(boolean on) {
            this.persist = on;
            return this;
        }

        /** Where persisted data lives ({@value Settings#DATA_ROOT}). */
        public Builder dataRoot(Path directory) {
            this.dataRoot = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** How long a pull may go without any answer from the registry ({@value Settings#PULL_STALL_TIMEOUT}). */
        public Builder pullStallTimeout(Duration timeout) {
            this.pullStallTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The container engine: {@code docker}, {@code none}, or an implementation's class name ({@value Settings#ENGINE}). */
        public Builder engine(String name) {
            this.engine = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The address published ports are bound to and reached on ({@value Settings#PUBLISH_HOST}). */
        public Builder publishHost(String host) {
            return publishHost(Optional.of(host));
        }

        /** As {@link #publishHost(String)}; empty: see {@link #noPublishHost()}. */
        public Builder publishHost(Optional<String> host) {
            this.publishHost = optional(host);
            return this;
        }

        /** The default address: loopback for a local engine, the engine's own address for a remote one. */
        public Builder noPublishHost() {
            return publishHost(Optional.empty());
        }

        /** Use the stage an {@code up} of the same pipeline, profile and stage holds ({@value Settings#ATTACH}). */
        public Builder attach(boolean on) {
            this.attach = on;
            return this;
        }

        /**
         * Fail a test when nginx logs {@code [alert]}, {@code [crit]} or {@code [emerg]} while it runs, unless
         * {@link AllowNginxLog} allows the message ({@value Settings#NGINX_LOG_GATE}, default true).
         */
        public Builder nginxLogGate(boolean on) {
            this.nginxLogGate = on;
            return this;
        }

        /** Put the fault proxy in every backend's path, as {@code faults: true} does for one ({@value Settings#FAULTS}). */
        public Builder faults(boolean on) {
            this.faults = on;
            return this;
        }

        /**
         * The percentage of a stage's locations its tests must reach, else the run fails listing the locations never
         * reached ({@value Settings#COVERAGE_MINIMUM}); empty: no gate.
         */
        public Builder coverageMinimum(double percent) {
            return coverageMinimum(OptionalDouble.of(percent));
        }

        /** As {@link #coverageMinimum(double)}; empty: no gate. */
        public Builder coverageMinimum(OptionalDouble percent) {
            Objects.requireNonNull(percent, "percent");
            if (percent.isPresent() && !(percent.getAsDouble() >= 0 && percent.getAsDouble() <= 100)) {
                throw new IllegalArgumentException("a percentage from 0 to 100, got " + percent.getAsDouble());
            }
            this.coverageMinimum = percent;
            return this;
        }

        /** No coverage gate. */
        public Builder noCoverageMinimum() {
            return coverageMinimum(OptionalDouble.empty());
        }

        /** The report's directory ({@value Settings#REPORT}, default {@code target/proxystage}). */
        public Builder report(Path directory) {
            return report(Optional.of(directory));
        }

        /** As {@link #report(Path)}; empty: no report. */
        public Builder report(Optional<Path> directory) {
            this.report = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** No report ({@value Settings#REPORT}{@code =false}). */
        public Builder noReport() {
            return report(Optional.empty());
        }

        /**
         * The promotion gate ({@value Settings#PROMOTION_SAME_AS}): when the run ends, every other stage its route
         * tables ran on must have answered each route as {@code stage} did, unless the table says why not.
         */
        public Builder promotionSameAs(String stage) {
            return promotionSameAs(Optional.of(stage));
        }

        /** As {@link #promotionSameAs(String)}; empty: no gate. */
        public Builder promotionSameAs(Optional<String> stage) {
            this.promotionSameAs = optional(stage);
            return this;
        }

        /** No promotion gate. */
        public Builder noPromotionSameAs() {
            return promotionSameAs(Optional.empty());
        }

        public Settings build() {
            return new Settings(this);
        }

        private static Optional<String> optional(Optional<String> value) {
            return Objects.requireNonNull(value, "value").map(String::strip).filter(v -> !v.isEmpty());
        }
    }
}
