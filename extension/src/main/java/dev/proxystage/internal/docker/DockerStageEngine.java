package dev.proxystage.internal.docker;

import dev.proxystage.internal.plan.StagePlan;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.engine.Attachment;
import dev.proxystage.internal.engine.Published;
import dev.proxystage.internal.plan.Fingerprint;
import java.time.Duration;
import java.util.Map;

/** The Docker engine that Testcontainers finds, behind the runtime's {@link Engine} seam. */
public final class DockerStageEngine implements Engine {

    private final Duration pullStallTimeout;

    public DockerStageEngine(Duration pullStallTimeout) {
        this.pullStallTimeout = pullStallTimeout;
    }

    @Override
    public String sweepOrphans() {
        Sweeper.SweepReport report = Sweeper.onEngine(DockerEngine.client()).sweepOrphans();
        return report.isEmpty() ? "" : report.toString();
    }

    @Override
    public StageInternals start(StagePlan plan, String runId) {
        return StageEnvironment.start(plan, runId, pullStallTimeout);
    }

    @Override
    public StageInternals start(StagePlan plan, String runId, Published published) {
        return StageEnvironment.start(plan, runId, pullStallTimeout, Map.of(
                Labels.FINGERPRINT, published.fingerprint().value(),
                Labels.CA, published.caCertificatePem().toAbsolutePath().toString()));
    }

    @Override
    public Attachment attach(StagePlan plan, Fingerprint wanted) {
        return StageAttach.find(DockerEngine.client(), plan, wanted);
    }
}
