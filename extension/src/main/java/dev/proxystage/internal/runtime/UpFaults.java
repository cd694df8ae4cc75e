package dev.proxystage.internal.runtime;

import dev.proxystage.Fault;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.internal.config.FaultSpecs;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.LiveRun;
import java.util.List;
import java.util.Optional;

/**
 * {@code fault} and {@code heal}: break and heal the backends of the stage a running {@code up} on this machine holds,
 * from another process. The stage is found as {@code down} finds runs, by its containers' labels and its owner, a
 * live {@code up}; the engine applies the fault and leaves it in force, and a heal finds whatever is in force there,
 * whoever applied it.
 */
public final class UpFaults {

    /** Each fault with the value it takes, as usage lines show them. */
    public static final String USAGE = FaultSpecs.USAGE;

    /**
     * What {@code fault} or {@code heal} did.
     *
     * @param stage the stage of the {@code up} it acted on
     * @param lines what it did, one line each; for {@code heal}, empty when nothing was in force
     */
    public record Report(String stage, List<String> lines) {
        public Report {
            lines = List.copyOf(lines);
        }
    }

    private UpFaults() {
    }

    /**
     * The fault {@code kind} with {@code value}, as the command line writes them ({@code slow 1500ms}); an
     * {@link IllegalArgumentException} saying what is wrong and what is expected.
     */
    public static Fault parse(String kind, Optional<String> value) {
        return FaultSpecs.parse(kind, value);
    }

    /**
     * Applies {@code fault} to {@code backend} of the stage of the running {@code up} ({@code stage}, or the only one);
     * {@code tool} is the command line that runs {@code up}, for the line that says to start one.
     */
    public static Report fault(Settings settings, String tool, Optional<String> stage, String backend, Fault fault) {
        Engine engine = Engines.forSettings(settings);
        engine.connect();
        LiveRun up = runningUp(engine.liveRuns(stage), stage, tool);
        return new Report(up.stage(), engine.applyFault(up, backend, fault));
    }

    /** Heals what is in force on {@code backend} (every backend when empty) of the running {@code up}'s stage. */
    public static Report heal(Settings settings, String tool, Optional<String> stage, Optional<String> backend) {
        Engine engine = Engines.forSettings(settings);
        engine.connect();
        LiveRun up = runningUp(engine.liveRuns(stage), stage, tool);
        return new Report(up.stage(), engine.healFaults(up, backend));
    }

    /**
     * The {@code up} to act on among {@code live}: the one of {@code stage}, or the only one running when no stage is
     * named; one line saying what to do when there is none, or several to choose from.
     */
    static LiveRun runningUp(List<LiveRun> live, Optional<String> stage, String tool) {
        List<LiveRun> ups = live.stream().filter(LiveRun::up)
                .filter(run -> stage.isEmpty() || stage.get().equals(run.stage())).toList();
        if (ups.isEmpty()) {
            throw new ProxyStageException("no 'up' " + stage.map(s -> "of stage " + s + " ").orElse("")
                    + "runs on this machine; start one with: " + (tool.isBlank() ? "" : tool.strip() + " ") + "up" + stage.map(s -> " --stage " + s).orElse(""));
        }
        if (ups.size() > 1) {
            throw new ProxyStageException("several 'up's run (stages " + String.join(", ", ups.stream()
                    .map(LiveRun::stage).toList()) + "); pass --stage <stage>");
        }
        return ups.get(0);
    }
}
