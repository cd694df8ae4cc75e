package dev.proxystage;

import dev.proxystage.spi.StageRuntime;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts a stage without JUnit, by the same path the extension takes (sweep, CA, conf.d checks, plan, start):
 *
 * <pre>{@code
 * try (Stage prep = ProxyStage.pipeline(Path.of("pipeline.yml")).profile("offline").stage("prep").start()) {
 *     System.out.println(prep.client().get("https://vw.example.com/").status());
 * }
 * }</pre>
 *
 * The builder starts from the JVM's system properties ({@code -Dproxystage.profile=offline} works as for tests);
 * what it is told overrides them. Closing the stage takes it down and deletes its CA directory.
 */
public final class ProxyStage {

    private ProxyStage() {
    }

    /** A builder for a stage of the pipeline in {@code file}. */
    public static Builder pipeline(Path file) {
        return new Builder(Settings.fromSystemProperties().toBuilder().config(Objects.requireNonNull(file, "file")).build());
    }

    /** A builder that starts from {@code settings} as they are. */
    public static Builder with(Settings settings) {
        return new Builder(Objects.requireNonNull(settings, "settings"));
    }

    /** What to start: a {@link Settings.Builder} narrowed to what starting one stage needs. */
    public static final class Builder {

        private final Settings.Builder settings;

        private Builder(Settings settings) {
            this.settings = settings.toBuilder();
        }

        /** Merges {@code pipeline-<name>.yml} beside the pipeline file, e.g. {@code offline}. */
        public Builder profile(String name) {
            settings.profile(name);
            return this;
        }

        /** As {@link #profile(String)}; empty: no overlay. */
        public Builder profile(Optional<String> name) {
            settings.profile(name);
            return this;
        }

        /** No overlay, whatever {@code -Dproxystage.profile} says: pipeline.yml alone. */
        public Builder noProfile() {
            settings.noProfile();
            return this;
        }

        /** The stage to start; without it, {@code -Dproxystage.stage}, else the pipeline's defaultStage. */
        public Builder stage(String name) {
            settings.stage(name);
            return this;
        }

        /** As {@link #stage(String)}; empty: the pipeline's defaultStage. */
        public Builder stage(Optional<String> name) {
            settings.stage(name);
            return this;
        }

        /** The pipeline's defaultStage, whatever {@code -Dproxystage.stage} says. */
        public Builder noStage() {
            settings.noStage();
            return this;
        }

        /** Keeps every backend's data under the data root across runs. */
        public Builder persist(boolean on) {
            settings.persist(on);
            return this;
        }

        /** Lets the {@code prod} stage run (its data read-only). */
        public Builder allowProd(boolean on) {
            settings.allowProd(on);
            return this;
        }

        /** The settings {@link #start()} will use. */
        public Settings settings() {
            return settings.build();
        }

        /** Starts the stage and returns it once nginx answers; a start that fails removes what it made and throws. */
        public Stage start() {
            return StageRuntime.get().start(settings.build());
        }
    }
}
