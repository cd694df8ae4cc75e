package dev.proxystage.spi;

import dev.proxystage.LogMark;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import java.util.List;
import java.util.Optional;

/**
 * One run of ProxyStage: its run id, test CA and start-up sweep, shared by the stages it starts. Part of the
 * {@link StageRuntime} service provider interface; what the JUnit glue and {@link dev.proxystage.ProxyStage} build on. Closing it
 * deletes the CA directory; stages close on their own.
 */
public interface StageRun extends AutoCloseable {

    /** The random id in every container, network and volume name of this run. */
    String runId();

    /** The stage pipeline.yml's stages would run for {@code requested}: it, else the settings' stage, else defaultStage. */
    String select(Settings settings, Optional<String> requested);

    /** The stage names of the pipeline {@code settings} name, in pipeline order. */
    List<String> stageNames(Settings settings);

    /** Equal for stages with the same effective definition: the key a stage is shared under. */
    Object stageKey(Settings settings, String stage);

    /** Checks, plans and starts {@code stage}; the caller closes it. */
    Stage start(Settings settings, String stage);

    /** Fails with the exit code and last log lines when a container of {@code stage} has died. */
    void requireRunning(Stage stage);

    /** Marks the start of a test on the calling thread: logs and traces after it belong to that test. */
    LogMark testStarted(Stage stage);

    /** Ends the calling thread's test. */
    void testFinished(Stage stage);

    /** The traces of the requests {@code thread} sent since {@code mark}, and the log lines since then; may be empty. */
    String diagnosticsSince(Stage stage, LogMark mark, String thread);

    /** nginx's error log lines since {@code mark}: what the error-log gate judges when a test ends. */
    List<String> nginxErrorLogSince(Stage stage, LogMark mark);

    /**
     * The stage is done with (its tests ran): writes its conf.d coverage, and fails with the locations never reached
     * when the coverage is below the settings' minimum.
     */
    default void stageFinished(Settings settings, Stage stage) {
    }

    /**
     * Every stage of the run is done (the engine finishes): judges the promotion gate the settings ask for
     * ({@link Settings#promotionSameAs()}), and fails listing the routes that drifted. Called before {@link #close()},
     * so the report shows the verdict.
     */
    default void runFinished(Settings settings) {
    }

    /**
     * A test on {@code stage} ended: its name, its failure if it failed, and (then) its traces and log lines. The run
     * keeps it for the report it writes when it closes.
     */
    default void testEnded(Stage stage, String name, Optional<Throwable> failure, String diagnostics, double seconds) {
    }

    @Override
    void close();
}
