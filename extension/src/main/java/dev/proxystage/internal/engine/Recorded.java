package dev.proxystage.internal.engine;

import dev.proxystage.internal.plan.StagePlan;
import java.util.function.Supplier;

/** A published stage found by what its process recorded, before anything is attached. */
public interface Recorded {

    String runId();

    /**
     * Attaches to it; {@code plan} is asked only when something needs the definition or conf.d (diagnostics,
     * backends, traces). Fails with one line when the stage is no longer held.
     */
    StageInternals attach(Supplier<StagePlan> plan);
}
