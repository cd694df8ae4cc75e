package dev.proxystage.internal.engine;

import dev.proxystage.LogMark;
import dev.proxystage.Stage;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import java.util.Optional;

/** What the runtime knows of a stage it started, beyond the API: its definition, parsed conf.d and log hooks. */
public interface StageInternals extends Stage {

    /** The effective definition (profile and stage overrides applied). */
    StageDefinition definition();

    /** The conf.d as parsed before the stage started. */
    NginxConfig nginxConfig();

    /** Fails, naming exit code and last log lines, when a container of the stage has died. */
    void requireRunning();

    /** Marks the start of a test on the calling thread. */
    LogMark testStarted();

    /** Ends the calling thread's test. */
    void testFinished();

    /** Traces of {@code thread}'s requests since {@code mark} and every log line since then; empty when none. */
    String diagnosticsSince(LogMark mark, String thread);

    /** nginx's error log lines since {@code mark}. */
    default java.util.List<String> nginxErrorLogSince(LogMark mark) {
        return nginx().errorLog().since(mark);
    }

    /** The address backend {@code name} has on the stage network, once started; what isolation probes aim at. */
    Optional<String> backendAddress(String name);

    /** The conf.d coverage of the requests its client sent; empty for an engine that does not count it. */
    default Optional<dev.proxystage.internal.coverage.StageCoverage> coverage() {
        return Optional.empty();
    }

    /** Runs {@code action} after the stage has closed (for a run that closes with its only stage). */
    void whenClosed(Runnable action);

    /**
     * Applies {@code newPlan} (same definition, edited conf.d) to the running nginx: its files are checked with
     * {@code nginx -t} in the container and, when good, reloaded gracefully; backends keep running. A rejected plan
     * leaves the previous configuration serving.
     */
    default Reload reload(dev.proxystage.internal.plan.StagePlan newPlan) {
        return Reload.rejected("this engine cannot reload a running stage", 0);
    }

    /** The stage as the runtime sees it; fails for a {@link Stage} that ProxyStage did not start. */
    static StageInternals of(Stage stage) {
        if (stage instanceof StageInternals internals) {
            return internals;
        }
        throw new IllegalArgumentException("not a stage that ProxyStage started: " + stage);
    }
}
