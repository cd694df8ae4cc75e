package dev.proxystage.internal.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.DataSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.NginxVerdict;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.FileContent;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.engine.Attachment;
import dev.proxystage.internal.engine.Cleanup;
import dev.proxystage.internal.engine.LiveRun;
import dev.proxystage.internal.engine.Published;
import dev.proxystage.internal.engine.Recorded;
import dev.proxystage.internal.files.RunDirectory;
import dev.proxystage.internal.files.UserFiles;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import dev.proxystage.internal.plan.StagePlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The Docker engine this process's environment names, behind the runtime's {@link Engine} seam. */
public final class DockerStageEngine implements Engine {

    private final Duration pullStallTimeout;
    private final DockerEngine engine;

    /** The engine this process's environment names ({@link EngineEndpoint}), decided here once. */
    public DockerStageEngine(Duration pullStallTimeout, Optional<String> publishHost) {
        this(pullStallTimeout, EngineEndpoint.decide(EngineEndpoint.World.system(), publishHost));
    }

    DockerStageEngine(Duration pullStallTimeout, EngineEndpoint endpoint) {
        this.pullStallTimeout = pullStallTimeout;
        this.engine = DockerEngine.at(endpoint);
    }

    @Override
    public void connectInBackground() {
        engine.connecting();
    }

    @Override
    public String sweepOrphans() {
        Sweeper.SweepReport report = Sweeper.onEngine(engine.client()).sweepOrphans();
        return report.isEmpty() ? "" : report.toString();
    }

    @Override
    public StageInternals start(StagePlan plan, String runId) {
        return start(plan, runId, Map.of());
    }

    @Override
    public StageInternals start(StagePlan plan, String runId, Published published) {
        StageInternals stage = start(plan, runId, Map.of(
                Labels.FINGERPRINT, published.fingerprint().value(),
                Labels.CA, published.caCertificatePem().toAbsolutePath().toString()));
        try {
            StageRecord.of(stage, runId, engine.endpoint(), published.inputs())
                    .writeTo(published.caCertificatePem().getParent());
        } catch (RuntimeException e) {
            stage.close();
            throw e;
        }
        return stage;
    }

    private StageInternals start(StagePlan plan, String runId, Map<String, String> labels) {
        if (!plan.hasCertificates()) {
            throw new IllegalStateException("stage " + plan.definition().name() + ": a plan without certificates cannot start");
        }
        EngineEndpoint endpoint = engine.endpoint();
        if (!endpoint.local()) {
            plan.definition().backends().forEach(backend -> requireNoHostDirectory(backend, plan.definition().name(), endpoint));
        }
        return StageEnvironment.start(engine, plan, runId, pullStallTimeout, labels);
    }

    @Override
    public Attachment attach(StagePlan plan, Fingerprint wanted, Consumer<String> notices) {
        Optional<Attachment> recorded = recordsIn(notices)
                .flatMap(root -> StageAttach.fromRecords(engine, root, UserFiles.system(), plan, wanted, notices));
        return recorded.orElseGet(() -> StageAttach.find(engine, plan, wanted));
    }

    @Override
    public Optional<Recorded> recorded(AttachInputs.Wanted wanted, Consumer<String> notices) {
        return recordsIn(notices).flatMap(root -> StageAttach.recorded(engine, root, UserFiles.system(), wanted, notices));
    }

    /** This user's run directory, where up's records are; none, said in one line, when it is not to be trusted. */
    private static Optional<Path> recordsIn(Consumer<String> notices) {
        RunDirectory.Decision run = RunDirectory.current();
        run.problem().ifPresent(why -> notices.accept("not reading stage records: " + why));
        return run.records();
    }

    @Override
    public boolean answers() {
        return engine.isAvailable();
    }

    @Override
    public String address() {
        return engine.endpoint().toString();
    }

    @Override
    public NginxVerdict nginxTest(StageDefinition definition, Map<String, FileContent> files, Optional<NginxConfig> config,
                                  String runId) {
        return NginxTestRun.run(engine.client(), definition, files, config, runId);
    }

    @Override
    public void connect() {
        engine.client();
    }

    @Override
    public String publishedHost() {
        return engine.publishedHost();
    }

    @Override
    public List<LiveRun> liveRuns(Optional<String> stage) {
        return StageOwners.live(engine.client(), stage);
    }

    @Override
    public Cleanup sweepStage(Optional<String> stage) {
        Sweeper sweeper = Sweeper.onEngine(engine.client());
        return cleanup(sweeper.sweepStage(stage, false).plus(sweeper.sweepOrphans()));
    }

    static Cleanup cleanup(Sweeper.SweepReport report) {
        return new Cleanup(report.runs().stream().map(Sweeper.SweepReport.Run::toString).toList(), report.containers(),
                report.networks(), report.volumes(), report.problems());
    }

    @Override
    public String sweepRun(String runId) {
        Sweeper.SweepReport report = Sweeper.onEngine(engine.client()).sweepRun(runId);
        return report.isEmpty() ? "" : report.toString();
    }

    @Override
    public Optional<String> stopped(String name) {
        try {
            InspectContainerResponse.ContainerState state = engine.client().inspectContainerCmd(name).exec().getState();
            return Boolean.TRUE.equals(state.getRunning()) ? Optional.empty()
                    : Optional.of("exited with code " + state.getExitCodeLong());
        } catch (NotFoundException e) {
            return Optional.of("was removed");
        } catch (RuntimeException e) {
            // The engine did not answer this time; ask again next round.
            return Optional.empty();
        }
    }

    @Override
    public boolean volumeExists(String name) {
        try {
            engine.client().inspectVolumeCmd(name).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A bind mount names a directory of the engine's machine; on a remote engine that is not the one this JVM sees. */
    static void requireNoHostDirectory(BackendSpec backend, String stage, EngineEndpoint endpoint) {
        Optional<Path> dir = backend.data().flatMap(DataSpec::hostDir);
        if (dir.isPresent()) {
            throw new ProxyStageException("backend '" + backend.name() + "' of stage " + stage + ": its data is the host"
                    + " directory " + dir.get() + " (persist or hostPath), but the Docker engine " + endpoint + " is on"
                    + " another machine, which does not see this machine's directories; drop persist/hostPath there (a"
                    + " fresh volume, filled by seedFrom, is copied to the engine), or use a local engine");
        }
    }
}
