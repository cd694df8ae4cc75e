package dev.proxystage.internal.runtime;

import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import dev.proxystage.spi.StageRun;
import dev.proxystage.spi.StageRuntime;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ProxyStage's runtime, as {@link StageRuntime#get()} finds it. */
public final class DefaultRuntime implements StageRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultRuntime.class);

    @Override
    public StageRun openRun(Settings settings) {
        Run run = openStarting(settings);
        // A test run writes one report when the engine finishes and closes it.
        run.reportAtClose(settings.report());
        return run;
    }

    /**
     * A run that is about to start a stage: unless it attaches (which may need no engine at all), the engine is
     * reached, and swept of orphans once pipeline.yml has loaded, on other threads while this one reads conf.d and
     * makes the CA. In a fresh JVM that connection is mostly class loading (docker-java, its JSON mapper), which no
     * longer waits for them, nor they for it.
     */
    private static Run openStarting(Settings settings) {
        Run run = Run.open(settings, LOG::info);
        if (!settings.attach()) {
            run.engine().connectInBackground();
            run.sweepOnceLoaded();
        }
        run.warmClientWhileStarting();
        return run;
    }

    @Override
    public Stage start(Settings settings) {
        Run run = openStarting(settings);
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
