package dev.proxystage.internal.runtime;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.plan.StagePlan;

/**
 * {@code proxystage.engine=none}: a run without a container engine, on purpose. {@code check} is then static, as on a
 * machine without Docker; a stage cannot start.
 */
final class NoEngine implements Engine {

    static final String NAME = "none";

    @Override
    public String sweepOrphans() {
        return "";
    }

    @Override
    public StageInternals start(StagePlan plan, String runId) {
        throw new ProxyStageException("stage " + plan.definition().name() + " cannot start: proxystage.engine=none"
                + " gives this run no container engine");
    }

    @Override
    public String address() {
        return "proxystage.engine=none";
    }
}
