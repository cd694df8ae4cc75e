package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.LogMark;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Stage;
import dev.proxystage.StageBackend;
import dev.proxystage.StageClient;
import dev.proxystage.StageNginx;
import dev.proxystage.hardening.HardeningProbes;
import dev.proxystage.hardening.HardeningReport;
import dev.proxystage.hardening.Suppression;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.probes.DefaultProbeRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A stage on a Docker engine as tests and the runtime see it: its backend and nginx handles over container ids,
 * its logs and its client. The same whether this JVM started it ({@link StageEnvironment}) or attached to one an
 * {@code up} holds ({@link AttachedStage}): the two differ only in how they find their containers, and in what
 * closing them does.
 */
abstract class DockerStage implements StageInternals, HardeningProbes.Target {

    private final String name;
    private final String runId;
    private final StageLogs logs;
    private final Path caCertificatePem;
    /** The faults this JVM applies to the stage's backends; the engine is asked for when a fault is applied. */
    private final StageFaults faults;
    private final List<Runnable> afterClose = new CopyOnWriteArrayList<>();
    /** Set once, when nginx answers (started) or the logs are wired (attached); until then null. */
    private volatile StageClient client;
    /** Set once the plan's parsed conf.d is known (at start, or on an attached stage's first use). */
    private volatile StageCoverage coverage;

    /**
     * A stage named {@code name} of run {@code runId}, whose ports are published on {@code publishedHost}; what its
     * faults do is said to {@code faultLines}.
     */
    DockerStage(String name, String runId, Path caCertificatePem, String publishedHost, Consumer<String> faultLines) {
        this.name = name;
        this.runId = runId;
        this.logs = new StageLogs(name);
        this.caCertificatePem = caCertificatePem;
        this.faults = newFaults(publishedHost, faultLines);
    }

    /** The engine's client, for what the stage does after its start (faults); reached on first use. */
    abstract DockerClient docker();

    /** The stage's log streams and traces. */
    final StageLogs logs() {
        return logs;
    }

    /** The faults applied through its backends. */
    final StageFaults faults() {
        return faults;
    }

    /** Its client, once nginx answers. */
    final void connected(StageClient client) {
        this.client = client;
    }

    /** Counts what the stage's client reaches in {@code coverage} from now on. */
    final void counting(StageCoverage coverage) {
        this.coverage = coverage;
        logs.coverage(coverage);
    }

    /** Its backends in pipeline.yml's order: those made so far. */
    abstract List<DockerBackend> dockerBackends();

    /** Its nginx, once made. */
    abstract Optional<DockerNginx> dockerNginx();

    /** The parts of the stage that no longer run, each with why; empty when it is whole. */
    final List<String> deadParts() {
        List<String> dead = new ArrayList<>();
        dockerBackends().forEach(b -> {
            b.deadReason().ifPresent(dead::add);
            b.faultProxyDeadReason().ifPresent(dead::add);
        });
        dockerNginx().flatMap(DockerNginx::deadReason).ifPresent(dead::add);
        return dead;
    }

    /**
     * The stage's faults: applied through its backends' {@code fault(...)}, on {@link #docker()}, which is asked for
     * when a fault is applied; a restart's new address follows the backend into traces and direct URLs.
     */
    private StageFaults newFaults(String publishedHost, Consumer<String> lines) {
        return new StageFaults(this::docker, publishedHost, runId, name, lines, new StageFaults.Moves() {
            @Override
            public void moved(String backend, String alias, String address, boolean backendItself) {
                Optional<DockerBackend> moved = dockerBackends().stream().filter(b -> b.name().equals(backend)).findFirst();
                if (backendItself && moved.isPresent()) {
                    moved.get().started(address);
                } else {
                    logs.backendAddress(address, backend, alias);
                }
            }

            @Override
            public void nginxReloaded() {
                StageClient current = client;
                if (current != null) {
                    current.okHttp().connectionPool().evictAll();
                }
            }
        });
    }

    @Override
    public void healFaults() {
        if (faults.anyActive()) {
            faults.healAll();
        }
    }

    /** Runs what {@link #whenClosed} asked for: the last step of closing. */
    final void afterClose() {
        afterClose.forEach(Runnable::run);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public List<StageBackend> backends() {
        return List.copyOf(dockerBackends());
    }

    @Override
    public Optional<StageBackend> backend(String name) {
        return dockerBackends().stream().filter(b -> b.name().equals(name)).findFirst().map(StageBackend.class::cast);
    }

    @Override
    public Optional<String> backendAddress(String name) {
        return dockerBackends().stream().filter(b -> b.name().equals(name)).findFirst().flatMap(DockerBackend::networkAddress);
    }

    @Override
    public StageNginx nginx() {
        return dockerNginx().orElseThrow(() -> new IllegalStateException("stage " + name + ": its nginx is not made yet"));
    }

    @Override
    public StageClient client() {
        StageClient connected = client;
        if (connected == null) {
            throw new IllegalStateException("stage " + name + ": its client is made once nginx answers");
        }
        return connected;
    }

    @Override
    public Path caCertificatePem() {
        return caCertificatePem;
    }

    @Override
    public Path confDir() {
        return definition().nginx().confDir();
    }

    @Override
    public Optional<StageCoverage> coverage() {
        return Optional.ofNullable(coverage);
    }

    @Override
    public void whenClosed(Runnable action) {
        afterClose.add(action);
    }

    @Override
    public LogMark testStarted() {
        return logs.testStarted();
    }

    @Override
    public void testFinished() {
        logs.testFinished();
    }

    /**
     * The routing traces of the requests {@code thread} sent since {@code mark}, and every container's log lines
     * since then, each prefixed with its container; empty when there is nothing.
     */
    @Override
    public String diagnosticsSince(LogMark mark, String thread) {
        return logs.diagnostics(mark, thread);
    }

    @Override
    public HardeningReport runProbes(Collection<Suppression> suppressions) {
        return DefaultProbeRunner.run(this, suppressions);
    }

    @Override
    public void assertIsolatedFrom(Stage other) {
        IsolationProbe.assertIsolated(this, this::execInNginx, StageInternals.of(other));
    }

    /** A read-only probe script in nginx's container; its stdout. */
    private String execInNginx(String script) {
        DockerNginx nginx = dockerNginx().orElseThrow();
        try {
            return nginx.exec("sh", "-c", script);
        } catch (ProxyStageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProxyStageException("cannot run a probe in " + nginx.containerName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxyStageException("interrupted while probing " + nginx.containerName());
        }
    }
}
