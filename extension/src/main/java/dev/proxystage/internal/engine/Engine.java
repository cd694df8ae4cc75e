package dev.proxystage.internal.engine;

import dev.proxystage.internal.plan.StagePlan;

/**
 * The container engine behind a stage: the one seam between what is the same everywhere (pipeline.yml, conf.d
 * checks, certificates, the client, traces) and what a particular engine does. Docker implements it; see
 * docs/kubernetes.md for what another engine would.
 */
public interface Engine {

    /** Removes what runs of this host whose process is gone left behind; returns a line per thing removed. */
    String sweepOrphans();

    /** Brings up the stage {@code plan} describes under {@code runId}; a start that fails removes what it made. */
    StageInternals start(StagePlan plan, String runId);
}
