package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.LogMark;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Stage;
import dev.proxystage.StageBackend;
import dev.proxystage.StageClient;
import dev.proxystage.StageNginx;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running stage. {@link #start} brings it up in order (images, network, backends in parallel under their
 * shared aliases until each is healthy, {@code nginx -t}, nginx until it listens); {@link #close} takes it down in
 * reverse, and so does a start that fails halfway. The steps live in {@link BackendStarter}, {@link NginxStarter},
 * {@link StageTeardown} and {@link IsolationProbe}; this class holds what the stage is.
 */
public final class StageEnvironment implements StageInternals {

    private static final Logger LOG = LoggerFactory.getLogger(StageEnvironment.class);

    private final StageDefinition definition;
    private final String runId;
    private final DockerEngine engine;
    private final DockerClient docker;
    private final String host;
    private final Map<String, String> labels;
    private final Duration pullStallTimeout;
    private final StageLogs logs;
    private volatile StageCoverage coverage;
    private final List<String> volumes = new CopyOnWriteArrayList<>();
    private final Map<String, DockerBackend> backends = new ConcurrentHashMap<>();
    private final Map<String, String> healthyAfter = new ConcurrentHashMap<>();
    private final List<Runnable> afterClose = new CopyOnWriteArrayList<>();
    private volatile StageNetwork network;
    private volatile StageContainer nginxContainer;
    private volatile DockerNginx nginx;
    private StageClient client;
    private volatile NginxConfig nginxConfig;
    /** The trace log configuration nginx started with; a live reload places it again. */
    private volatile String traceConf;
    private Path caCertificatePem;
    private boolean closed;
    // Closes the stage if the JVM exits before JUnit closes it (Ctrl-C, SIGTERM); removed once closed.
    private final Thread shutdownHook = new Thread(this::close, "proxystage-shutdown");

    private StageEnvironment(DockerEngine engine, StageDefinition definition, String runId, Duration pullStallTimeout) {
        this.pullStallTimeout = pullStallTimeout;
        this.definition = definition;
        this.runId = runId;
        this.engine = engine;
        this.docker = engine.client();
        this.host = engine.publishedHost();
        this.labels = Labels.forStage(runId, definition.name());
        this.logs = new StageLogs(definition.name());
        definition.backends().forEach(b -> logs.mask(b.secretValues()));
    }

    /** Brings up the stage that {@code plan} describes; on failure, removes whatever had started and throws. */
    public static StageEnvironment start(DockerEngine engine, StagePlan plan, String runId, Duration pullStallTimeout) {
        return start(engine, plan, runId, pullStallTimeout, Map.of());
    }

    /** As above, with {@code extraLabels} on everything the stage creates (see {@link StageAttach}). */
    static StageEnvironment start(DockerEngine engine, StagePlan plan, String runId, Duration pullStallTimeout,
                                  Map<String, String> extraLabels) {
        StageEnvironment environment = new StageEnvironment(engine, plan.definition(), runId, pullStallTimeout);
        environment.labels.putAll(extraLabels);
        Runtime.getRuntime().addShutdownHook(environment.shutdownHook);
        try {
            environment.bringUp(plan);
            return environment;
        } catch (RuntimeException | Error e) {
            environment.close();
            throw StartFailures.userFacing(environment.definition.name(), e, environment.logs::masked);
        }
    }

    private void bringUp(StagePlan plan) {
        nginxConfig = plan.config();
        caCertificatePem = plan.caCertificatePem();
        logs.serverSources(ServerSources.of(plan.config(), plan.warnings()));
        coverage = new StageCoverage(definition.name(), plan.config());
        logs.coverage(coverage);
        String stage = definition.name();
        long started = System.nanoTime();
        List<String> steps = new ArrayList<>();

        Set<String> images = new LinkedHashSet<>();
        images.add(definition.nginx().image());
        definition.backends().forEach(b -> images.add(BackendStarter.imageOf(definition, b)));
        images.forEach(image -> Images.ensurePresent(docker, image, pullStallTimeout));

        long t = System.nanoTime();
        network = new StageNetwork(docker, "nginx-rp-network-" + stage + "-" + runId, labels);
        BackendReach reach = BackendReach.of(engine, network.getId());
        steps.add("network " + millis(t));

        t = System.nanoTime();
        new BackendStarter(engine, definition, runId, network, labels, reach, logs, volumes::add)
                .startAll(b -> backends.put(b.name(), b), healthyAfter);
        if (definition.backends().size() <= 10) {
            definition.backends().forEach(b -> steps.add(b.name() + " healthy " + healthyAfter.get(b.name())));
        } else {
            steps.add(definition.backends().size() + " backends healthy " + millis(t));
        }

        t = System.nanoTime();
        // A stage others may attach to keeps traces on nginx's stdout: their JVMs follow it; the direct path is ours.
        // The direct path needs this host on the stage network: a local engine (a remote one's gateway address may
        // exist here too, on another network).
        traceConf = logs.traceConf(network.gateway(),
                engine.endpoint().local() && !labels.containsKey(Labels.FINGERPRINT));
        nginx = NginxStarter.start(engine, definition.nginx(), stage, runId, network, labels, plan.nginxPorts(),
                plan.nginxFiles(), traceConf, nginxConfig, logs, container -> nginxContainer = container);
        steps.add("nginx -t ok · nginx ready " + millis(t));
        steps.add(logs.direct() ? "traces direct" : "traces from nginx's log stream");
        steps.add("total " + millis(started));
        LOG.info("{}: {}", stage, String.join(" · ", steps));
        client = StageClient.connectTo(stage, host, nginx.mappedPorts(), logs, plan.clientTrust().orElse(null));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook runs this method anyway
            }
        }
        long started = System.nanoTime();
        logs.close();
        StageTeardown teardown = new StageTeardown(docker);
        // By name: a container whose start failed may have no id here, but its name is ours alone.
        String networkId = network == null ? null : network.getId();
        List<String> names = new ArrayList<>();
        if (nginxContainer != null) {
            names.add("nginx-rp-" + definition.name() + "-" + runId);
            teardown.removeContainers(List.copyOf(names), networkId);
        }
        List<String> backendNames = backends.values().stream().map(DockerBackend::containerName).toList();
        teardown.removeContainers(backendNames, networkId);
        names.addAll(backendNames);
        if (network != null) {
            teardown.removeNetwork(networkId, network.name(), names);
        }
        teardown.removeVolumes(volumes);
        if (teardown.problems().isEmpty()) {
            LOG.info("{}: stopped and removed in {}", definition.name(), millis(started));
        } else {
            LOG.warn("{}: teardown left problems: {}", definition.name(), String.join("; ", teardown.problems()));
        }
        afterClose.forEach(Runnable::run);
    }

    static String millis(long sinceNanos) {
        long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    @Override
    public synchronized dev.proxystage.internal.engine.Reload reload(StagePlan newPlan) {
        var result = new NginxReload(nginxContainer, definition.nginx(), nginx.mappedPorts().keySet(),
                Optional.ofNullable(traceConf)).apply(newPlan);
        if (result.isApplied()) {
            nginxConfig = newPlan.config();
        }
        return result;
    }

    // --- Stage ---

    @Override
    public String name() {
        return definition.name();
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String networkName() {
        return network.name();
    }

    @Override
    public List<StageBackend> backends() {
        // In pipeline.yml's order, whatever order they started in.
        return definition.backends().stream().map(spec -> (StageBackend) backends.get(spec.name()))
                .filter(Objects::nonNull).toList();
    }

    @Override
    public Optional<StageBackend> backend(String name) {
        return Optional.ofNullable(backends.get(name));
    }

    @Override
    public Optional<String> backendAddress(String name) {
        return Optional.ofNullable(backends.get(name)).flatMap(DockerBackend::networkAddress);
    }

    @Override
    public StageNginx nginx() {
        return nginx;
    }

    @Override
    public StageClient client() {
        return client;
    }

    @Override
    public StageDefinition definition() {
        return definition;
    }

    @Override
    public Path confDir() {
        return definition.nginx().confDir();
    }

    @Override
    public void whenClosed(Runnable action) {
        afterClose.add(action);
    }

    @Override
    public Optional<StageCoverage> coverage() {
        return Optional.ofNullable(coverage);
    }

    @Override
    public NginxConfig nginxConfig() {
        return nginxConfig;
    }

    @Override
    public Path caCertificatePem() {
        return caCertificatePem;
    }

    /**
     * Fails, with the container's exit code and last log lines, when a backend or nginx has died since the stage
     * started: the tests that follow would only see connection errors.
     */
    @Override
    public void requireRunning() {
        List<String> dead = new ArrayList<>();
        for (StageBackend backend : backends()) {
            deadReason(((DockerBackend) backend).container(), "backend '" + backend.name() + "' (" + backend.containerName() + ")")
                    .ifPresent(dead::add);
        }
        if (nginxContainer != null) {
            deadReason(nginxContainer, "nginx (" + nginx.containerName() + ")").ifPresent(dead::add);
        }
        if (!dead.isEmpty()) {
            throw new ProxyStageException("stage '" + definition.name() + "' is no longer whole: " + String.join("; ", dead));
        }
    }

    private static Optional<String> deadReason(StageContainer container, String subject) {
        try {
            var state = container.state();
            if (Boolean.TRUE.equals(state.getRunning())) {
                return Optional.empty();
            }
            return Optional.of(subject + " exited with code " + state.getExitCodeLong() + PollingWait.formatTail(subject, container.logs()));
        } catch (RuntimeException gone) {
            return Optional.of(subject + " was removed");
        }
    }

    @Override
    public void assertIsolatedFrom(Stage other) {
        IsolationProbe.assertIsolated(this, this::execInNginx, StageInternals.of(other));
    }

    private String execInNginx(String script) {
        try {
            return nginxContainer.exec("sh", "-c", script);
        } catch (RuntimeException e) {
            throw new ProxyStageException("cannot run a probe in " + nginx.containerName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxyStageException("interrupted while probing " + nginx.containerName());
        }
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
    public String toString() {
        return "stage " + definition.name() + " (run " + runId + ")";
    }
}
