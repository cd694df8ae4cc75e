package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Reload;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running stage. {@link #start} brings it up in order (images, network, backends in parallel under their
 * shared aliases until each is healthy, {@code nginx -t}, nginx until it listens); {@link #close} takes it down in
 * reverse, and so does a start that fails halfway. The steps live in {@link BackendStarter}, {@link NginxStarter},
 * {@link StageTeardown} and {@link IsolationProbe}; this class holds what the stage is, and {@link DockerStage} the
 * handles it shares with a stage attached to.
 */
public final class StageEnvironment extends DockerStage {

    private static final Logger LOG = LoggerFactory.getLogger(StageEnvironment.class);

    private final StageDefinition definition;
    private final DockerEngine engine;
    private final DockerClient docker;
    private final String host;
    private final Map<String, String> labels;
    private final Duration pullStallTimeout;
    private final StagePlan.Trust trust;
    private final List<String> volumes = new CopyOnWriteArrayList<>();
    private final Map<String, DockerBackend> backends = new ConcurrentHashMap<>();
    private final Map<String, String> healthyAfter = new ConcurrentHashMap<>();
    private volatile StageNetwork network;
    private volatile StageContainer nginxContainer;
    private volatile DockerNginx nginx;
    private volatile NginxConfig nginxConfig;
    /** The trace log configuration nginx started with; a live reload places it again. */
    private volatile String traceConf;
    private boolean closed;
    // Closes the stage if the JVM exits before JUnit closes it (Ctrl-C, SIGTERM); removed once closed.
    private final Thread shutdownHook = new Thread(this::close, "proxystage-shutdown");

    private StageEnvironment(DockerEngine engine, StageDefinition definition, String runId, StagePlan.Trust trust,
                             Duration pullStallTimeout) {
        super(definition.name(), runId, trust.caCertificatePem(), engine.publishedHost(), line -> LOG.info("{}", line));
        this.trust = trust;
        this.pullStallTimeout = pullStallTimeout;
        this.definition = definition;
        this.engine = engine;
        this.docker = engine.client();
        this.host = engine.publishedHost();
        this.labels = Labels.forStage(runId, definition.name());
        definition.backends().forEach(b -> logs().mask(b.secretValues()));
    }

    /** Brings up the stage that {@code plan} describes; on failure, removes whatever had started and throws. */
    public static StageEnvironment start(DockerEngine engine, StagePlan plan, String runId, Duration pullStallTimeout) {
        return start(engine, plan, runId, pullStallTimeout, Map.of());
    }

    /** As above, with {@code extraLabels} on everything the stage creates (see {@link StageAttach}). */
    static StageEnvironment start(DockerEngine engine, StagePlan plan, String runId, Duration pullStallTimeout,
                                  Map<String, String> extraLabels) {
        StagePlan.Trust trust = plan.trust()
                .orElseThrow(() -> new IllegalArgumentException("a plan without certificates cannot start a stage"));
        StageEnvironment environment = new StageEnvironment(engine, plan.definition(), runId, trust, pullStallTimeout);
        environment.labels.putAll(extraLabels);
        Runtime.getRuntime().addShutdownHook(environment.shutdownHook);
        try {
            environment.bringUp(plan);
            return environment;
        } catch (RuntimeException | Error e) {
            environment.close();
            throw StartFailures.userFacing(environment.definition.name(), e, environment.logs()::masked);
        }
    }

    @Override
    DockerClient docker() {
        return docker;
    }

    private void bringUp(StagePlan plan) {
        nginxConfig = plan.config();
        logs().serverSources(ServerSources.of(plan.config(), plan.warnings()));
        counting(new StageCoverage(definition.name(), plan.config()));
        String stage = definition.name();
        long started = System.nanoTime();
        List<String> steps = new ArrayList<>();

        Set<String> images = new LinkedHashSet<>();
        images.add(definition.nginx().image());
        definition.backends().forEach(b -> images.add(BackendStarter.imageOf(definition, b)));
        if (definition.backends().stream().anyMatch(BackendSpec::faults)) {
            images.add(definition.echoImage()); // the fault proxy's JRE
        }
        images.forEach(image -> Images.ensurePresent(docker, image, pullStallTimeout));

        long t = System.nanoTime();
        network = new StageNetwork(docker, "nginx-rp-network-" + stage + "-" + runId(), labels);
        BackendReach reach = BackendReach.of(engine, network.getId());
        steps.add("network " + millis(t));

        t = System.nanoTime();
        new BackendStarter(engine, definition, runId(), network, labels, reach, logs(), volumes::add, faults())
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
        traceConf = logs().traceConf(network.gateway(),
                engine.endpoint().local() && !labels.containsKey(Labels.FINGERPRINT));
        nginx = NginxStarter.start(engine, definition.nginx(), stage, runId(), network, labels, plan.nginxPorts(),
                plan.nginxFiles(), traceConf, nginxConfig, logs(), container -> nginxContainer = container);
        steps.add("nginx -t ok · nginx ready " + millis(t));
        steps.add(logs().direct() ? "traces direct" : "traces from nginx's log stream");
        steps.add("total " + millis(started));
        LOG.info("{}: {}", stage, String.join(" · ", steps));
        connected(StageClient.connectTo(stage, host, nginx.mappedPorts(), logs(), trust.client()));
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
        logs().close();
        StageTeardown teardown = new StageTeardown(docker);
        // By name: a container whose start failed may have no id here, but its name is ours alone.
        String networkId = network == null ? null : network.getId();
        List<String> names = new ArrayList<>();
        if (nginxContainer != null) {
            names.add("nginx-rp-" + definition.name() + "-" + runId());
            teardown.removeContainers(List.copyOf(names), networkId);
        }
        List<String> backendNames = backends.values().stream()
                .flatMap(b -> Stream.concat(Stream.of(b.containerName()), b.faultProxyName().stream()))
                .toList();
        teardown.removeContainers(backendNames, networkId);
        names.addAll(backendNames);
        if (network != null) {
            // Whatever faults added to the run (placeholders of moved addresses), also by another process.
            try {
                List<String> placeholders = docker.listContainersCmd().withShowAll(true)
                        .withLabelFilter(Map.of(Labels.RUN, runId(), Labels.ROLE, StageFaults.ROLE_PLACEHOLDER)).exec()
                        .stream().map(StageEnvironment::containerName).toList();
                teardown.removeContainers(placeholders, networkId);
                names.addAll(placeholders);
            } catch (RuntimeException e) {
                LOG.debug("cannot list the placeholders of run {}: {}", runId(), e.getMessage());
            }
            teardown.removeNetwork(networkId, network.name(), names);
        }
        teardown.removeVolumes(volumes);
        if (teardown.problems().isEmpty()) {
            LOG.info("{}: stopped and removed in {}", definition.name(), millis(started));
        } else {
            LOG.warn("{}: teardown left problems: {}", definition.name(), String.join("; ", teardown.problems()));
        }
        afterClose();
    }

    /** A listed container's name, without the engine's leading slash; its id when it has none. */
    private static String containerName(Container container) {
        String[] names = container.getNames();
        return names == null || names.length == 0 || names[0] == null ? container.getId() : names[0].replaceFirst("^/", "");
    }

    static String millis(long sinceNanos) {
        long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    @Override
    public synchronized Reload reload(StagePlan newPlan) {
        var result = new NginxReload(nginxContainer, definition.nginx(), nginx.mappedPorts().keySet(),
                Optional.ofNullable(traceConf)).apply(newPlan);
        if (result.isApplied()) {
            nginxConfig = newPlan.config();
        }
        return result;
    }

    // --- Stage ---

    @Override
    List<DockerBackend> dockerBackends() {
        // In pipeline.yml's order, whatever order they started in.
        return definition.backends().stream().map(spec -> backends.get(spec.name())).filter(Objects::nonNull).toList();
    }

    @Override
    Optional<DockerNginx> dockerNginx() {
        return Optional.ofNullable(nginx);
    }

    @Override
    public String networkName() {
        return network.name();
    }

    @Override
    public StageDefinition definition() {
        return definition;
    }

    @Override
    public NginxConfig nginxConfig() {
        return nginxConfig;
    }

    /**
     * Fails, with the container's exit code and last log lines, when a backend or nginx has died since the stage
     * started: the tests that follow would only see connection errors.
     */
    @Override
    public void requireRunning() {
        List<String> dead = deadParts();
        if (!dead.isEmpty()) {
            throw new ProxyStageException("stage '" + definition.name() + "' is no longer whole: " + String.join("; ", dead));
        }
    }

    @Override
    public String toString() {
        return "stage " + name() + " (run " + runId() + ")";
    }
}
