package dev.proxystage.spi;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import java.util.ServiceLoader;

/**
 * Service provider interface between the API and ProxyStage's runtime, found with {@link ServiceLoader} so that
 * this package never depends on the implementation (as JUnit's API does not on its engine). Not for users: start
 * stages with {@link dev.proxystage.ProxyStage}, or with {@link dev.proxystage.PipelineStage} in tests.
 */
public interface StageRuntime {

    /** A new run: one run id, one test CA and one sweep of orphans for every stage it starts. */
    StageRun openRun(Settings settings);

    /** Starts the stage {@code settings} select, in a run of its own that closes with the stage. */
    Stage start(Settings settings);

    /** The runtime on the class path. */
    static StageRuntime get() {
        return ServiceLoader.load(StageRuntime.class, StageRuntime.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new ProxyStageException("ProxyStage's runtime is missing from the class path"));
    }
}
