package dev.proxystage.internal.runtime;

import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import dev.proxystage.StageRun;
import dev.proxystage.StageRuntime;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ProxyStage's runtime, as {@link StageRuntime#get()} finds it. */
public final class DefaultRuntime implements StageRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultRuntime.class);

    @Override
    public StageRun openRun(Settings settings) {
        Run run = Run.open(settings, LOG::info);
        // A test run writes one report when the engine finishes and closes it.
        run.reportAtClose(settings.report());
        return run;
    }

    @Override
    public Stage start(Settings settings) {
        Run run = Run.open(settings, LOG::info);
        try {
            String name = run.select(settings, Optional.empty());
            StageInternals stage = run.start(settings, name);
            stage.whenClosed(run::close);
            return stage;
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
    }
}
