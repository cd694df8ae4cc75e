package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import dev.proxystage.LogMark;
import dev.proxystage.NginxErrorLog;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Stage;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.StageBackend;
import dev.proxystage.StageClient;
import dev.proxystage.StageNginx;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.DataSpec;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * One running stage. {@link #start} brings it up in order (network, backends in parallel under their shared
 * aliases, a wait until each is healthy, {@code nginx -t}, nginx, a wait until it listens); {@link #close} takes it
 * down in reverse (nginx, backends, network, volumes), and so does a start that fails halfway.
 */
public final class StageEnvironment implements StageInternals {

    private static final Logger LOG = LoggerFactory.getLogger(StageEnvironment.class);

    static final String ECHO_DIR = "/opt/proxystage-echo";
    static final String ECHO_CLASS = "dev/proxystage/echo/EchoServer.class";

    private final StageDefinition definition;
    private final String runId;
    private final DockerClient docker;
    private final String host;
    private final Map<String, String> labels;
    private final List<String> volumes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Backend> backends = Collections.synchronizedMap(new LinkedHashMap<>());
    private StageNetwork network;
    private GenericContainer<?> nginxContainer;
    private Nginx nginx;
    private StageClient client;
    private volatile NginxConfig nginxConfig;
    private Path caCertificatePem;
    private final StageLogs logs;
    private final Map<String, String> healthyAfter = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean closed;
    /** The trace log configuration nginx started with; a live reload places it again. */
    private volatile String traceConf;
    private final java.time.Duration pullStallTimeout;
    private final List<Runnable> afterClose = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Closes the stage if the JVM exits before JUnit closes it (Ctrl-C, SIGTERM); removed once closed.
    private final Thread shutdownHook = new Thread(this::close, "proxystage-shutdown");

    private StageEnvironment(StageDefinition definition, String runId, java.time.Duration pullStallTimeout) {
        this.pullStallTimeout = pullStallTimeout;
        this.definition = definition;
        this.runId = runId;
        this.docker = DockerEngine.client();
        this.host = DockerEngine.publishedHost();
        this.labels = Labels.forStage(runId, definition.name());
        this.logs = new StageLogs(definition.name());
        definition.backends().forEach(b -> logs.mask(b.secretValues()));
    }

    /**
     * Brings up the stage that {@code plan} describes; on failure, removes whatever had started and throws.
     */
    public static StageEnvironment start(StagePlan plan, String runId, java.time.Duration pullStallTimeout) {
        return start(plan, runId, pullStallTimeout, Map.of());
    }

    /** As above, with {@code extraLabels} on everything the stage creates (see {@link StageAttach}). */
    static StageEnvironment start(StagePlan plan, String runId, java.time.Duration pullStallTimeout, Map<String, String> extraLabels) {
        StageDefinition definition = plan.definition();
        StageEnvironment environment = new StageEnvironment(definition, runId, pullStallTimeout);
        environment.labels.putAll(extraLabels);
        Runtime.getRuntime().addShutdownHook(environment.shutdownHook);
        try {
            environment.bringUp(plan);
            return environment;
        } catch (RuntimeException | Error e) {
            environment.close();
            throw environment.userFacing(e);
        }
    }

    private void bringUp(StagePlan plan) {
        nginxConfig = plan.config();
        logs.serverSources(ServerSources.of(plan.config(), plan.warnings()));
        caCertificatePem = plan.caCertificatePem();
        String stage = definition.name();
        long started = System.nanoTime();
        List<String> steps = new ArrayList<>();

        Set<String> images = new LinkedHashSet<>();
        images.add(definition.nginx().image());
        definition.backends().forEach(b -> images.add(imageOf(b)));
        images.forEach(image -> Images.ensurePresent(docker, image, pullStallTimeout));

        long t = System.nanoTime();
        network = new StageNetwork(docker, "nginx-rp-network-" + stage + "-" + runId, labels);
        steps.add("network " + millis(t));

        startBackends();
        definition.backends().forEach(b -> steps.add(b.name() + " healthy " + healthyAfter.get(b.name())));

        t = System.nanoTime();
        startNginx(plan.nginxPorts(), plan.nginxFiles());
        steps.add("nginx -t ok · nginx ready " + millis(t));
        steps.add(logs.direct() ? "traces direct" : "traces from nginx's log stream");
        steps.add("total " + millis(started));
        LOG.info("{}: {}", stage, String.join(" · ", steps));
        StageClient routed = StageClient.connectTo(stage, host, nginx.mappedPorts(), logs);
        client = plan.clientTrust()
                .map(trust -> routed.customize(b -> b.sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())))
                .orElse(routed);
    }

    private void startBackends() {
        if (definition.backends().isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(definition.backends().size(), r -> {
            Thread thread = new Thread(r, "proxystage-" + definition.name() + "-backend");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Void>> starts = definition.backends().stream()
                    .map(spec -> CompletableFuture.runAsync(() -> startBackend(spec), pool))
                    .toList();
            try {
                CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void startBackend(BackendSpec spec) {
        long started = System.nanoTime();
        String stage = definition.name();
        String containerName = spec.name() + "-" + stage + "-" + runId;
        Map<String, String> containerLabels = Labels.with(Labels.with(labels, Labels.ROLE, "backend"), Labels.BACKEND, spec.name());
        // Fresh data is a labelled volume of this run; persistent data is a host directory (never prod's, see ProdSafety).
        Optional<String> volume = spec.data().filter(d -> !d.persists())
                .map(d -> createVolume(spec.name() + "-" + stage + "-" + runId, containerLabels));
        Optional<Path> hostDir = spec.data().flatMap(DataSpec::hostDir).map(StageEnvironment::createDirectory);
        boolean freshData = volume.isPresent() || hostDir.map(StageEnvironment::isEmpty).orElse(false);

        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(imageOf(spec)))
                .withNetwork(network)
                .withNetworkAliases(spec.alias())
                .withLabels(containerLabels)
                .withEnv(spec.env())
                .withEnv("PROXYSTAGE_STAGE", stage)
                .withEnv("PROXYSTAGE_ALIAS", spec.alias())
                .withExposedPorts(spec.port())
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName(containerName).withHostName(spec.alias());
                    cmd.getHostConfig().withPortBindings(loopbackBindings(Set.of(spec.port())));
                    spec.data().ifPresent(data -> {
                        String source = volume.orElseGet(() -> hostDir.orElseThrow().toString());
                        cmd.getHostConfig().withBinds(new Bind(source, new Volume(data.mount()),
                                data.readOnly() ? AccessMode.ro : AccessMode.rw));
                    });
                });
        spec.data().flatMap(DataSpec::seedFrom).filter(seed -> freshData)
                .ifPresent(seed -> container.withCopyFileToContainer(MountableFile.forHostPath(seed), spec.data().orElseThrow().mount()));
        if (!spec.command().isEmpty()) {
            container.withCommand(spec.command().toArray(String[]::new));
        }
        if (spec.isEcho()) {
            container.withCopyToContainer(Transferable.of(echoClass()), ECHO_DIR + "/" + ECHO_CLASS)
                    .withEnv("ECHO_PORT", Integer.toString(spec.port()))
                    .withEnv("ECHO_PORTS", spec.ports().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
                    .withEnv("PROXYSTAGE_BACKEND", spec.name())
                    // The class-data-sharing and C1-only flags make a small JVM start in a fraction of a second.
                    .withCommand("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                            "-cp", ECHO_DIR, "dev.proxystage.echo.EchoServer");
        }
        String subject = "backend '" + spec.name() + "' (" + containerName + ", image " + imageOf(spec) + ")";
        container.waitingFor(new HttpHealthWait(subject, host, spec.port(), spec.health().path(), spec.alias())
                .withStartupTimeout(spec.health().timeout()));
        backends.put(spec.name(), new Backend(spec, containerName, container, volume.or(() -> hostDir.map(Path::toString))));
        startExplained(container, subject, "it was healthy");
        healthyAfter.put(spec.name(), millis(started));
        logs.backend(container, containerName);
        var networks = container.getContainerInfo().getNetworkSettings().getNetworks();
        if (networks.containsKey(network.name())) {
            logs.backendAddress(networks.get(network.name()).getIpAddress(), spec.name(), spec.alias());
        }
    }

    private void startNginx(Set<Integer> ports, Map<String, dev.proxystage.internal.plan.FileContent> files) {
        // A stage others may attach to keeps traces on nginx's stdout: their JVMs follow it; the direct path is ours.
        traceConf = logs.traceConf(network.gateway(), !labels.containsKey(Labels.FINGERPRINT));
        String stage = definition.name();
        NginxSpec spec = definition.nginx();
        String containerName = "nginx-rp-" + stage + "-" + runId;
        Set<Integer> exposed = new TreeSet<>(ports);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(spec.image()))
                .withNetwork(network)
                .withLabels(Labels.with(labels, Labels.ROLE, "nginx"))
                .withExposedPorts(exposed.toArray(Integer[]::new))
                // nginx -t must pass before nginx starts in the foreground.
                .withCopyToContainer(NginxFiles.archive(spec, files, Optional.of(traceConf), "nginx -t -q\nexec nginx -g 'daemon off;'"), "/")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName(containerName).withEntrypoint("/bin/sh", NginxFiles.ENTRYPOINT).withCmd(List.of());
                    cmd.getHostConfig().withPortBindings(loopbackBindings(exposed));
                });
        container.waitingFor(new ListeningWait("nginx (" + containerName + ", image " + spec.image() + ")", host, exposed)
                .withStartupTimeout(Duration.ofSeconds(30)));
        nginxContainer = container;
        try {
            startExplained(container, "nginx (" + containerName + ", image " + spec.image() + ")", "it listened on " + exposed);
        } catch (ProxyStageException e) {
            throw new ProxyStageException(toHostPaths(e.getMessage()));
        }
        Map<Integer, Integer> mapped = new LinkedHashMap<>();
        exposed.forEach(port -> mapped.put(port, container.getMappedPort(port)));
        nginx = new Nginx(containerName, spec.image(), mapped, container, logs.nginxErrorLog());
        logs.nginx(container, containerName);
    }

    private static Ports loopbackBindings(Set<Integer> ports) {
        Ports bindings = new Ports();
        // Published on one address only (loopback for a local engine): a stage must not be reachable from the rest
        // of the network.
        String address = DockerEngine.bindAddress();
        ports.forEach(port -> bindings.bind(ExposedPort.tcp(port), Ports.Binding.bindIp(address)));
        return bindings;
    }

    private String createVolume(String name, Map<String, String> volumeLabels) {
        docker.createVolumeCmd().withName(name).withLabels(volumeLabels).exec();
        volumes.add(name);
        return name;
    }

    private static Path createDirectory(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ProxyStageException("cannot create the data directory " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private String imageOf(BackendSpec spec) {
        return spec.isEcho() ? definition.echoImage() : spec.image();
    }

    private static byte[] echoClass() {
        try (InputStream in = StageEnvironment.class.getClassLoader().getResourceAsStream(ECHO_CLASS)) {
            if (in == null) {
                throw new IllegalStateException(ECHO_CLASS + " is missing from ProxyStage's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ECHO_CLASS, e);
        }
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
        List<String> problems = new ArrayList<>();
        logs.close();
        if (nginxContainer != null) {
            attempt(problems, "stop nginx", nginxContainer::stop);
        }
        List<Backend> running = new ArrayList<>(backends.values());
        running.parallelStream().forEach(b -> attempt(problems, "stop " + b.containerName, b.container::stop));
        if (network != null) {
            attempt(problems, "remove network " + network.name(), network::close);
        }
        for (String volume : volumes) {
            attempt(problems, "remove volume " + volume, () -> {
                try {
                    docker.removeVolumeCmd(volume).exec();
                } catch (NotFoundException alreadyGone) {
                    // nothing to remove
                }
            });
        }
        if (problems.isEmpty()) {
            LOG.info("{}: stopped and removed in {}", definition.name(), millis(started));
        } else {
            LOG.warn("{}: teardown left problems: {}", definition.name(), String.join("; ", problems));
        }
        afterClose.forEach(Runnable::run);
    }

    private static void attempt(List<String> problems, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            synchronized (problems) {
                problems.add(what + ": " + e.getMessage());
            }
        }
    }

    /**
     * Starts {@code container}; when that fails for a reason of the container's own (it exited before our wait
     * even began, so Testcontainers only says "startup failed"), the failure names its exit code and last lines.
     */
    private static void startExplained(GenericContainer<?> container, String subject, String readiness) {
        try {
            container.start();
        } catch (RuntimeException e) {
            ProxyStageException known = firstKnown(e);
            if (known != null) {
                throw known;
            }
            String id = container.getContainerId();
            if (id != null) {
                try {
                    var state = container.getDockerClient().inspectContainerCmd(id).exec().getState();
                    if (!Boolean.TRUE.equals(state.getRunning())) {
                        throw new ProxyStageException(subject + " exited with code " + state.getExitCodeLong()
                                + " before " + readiness + PollingWait.formatTail(subject, container.getLogs()));
                    }
                } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                    // removed already: nothing more to tell than the original failure
                }
            }
            throw e;
        }
    }

    private static final java.util.regex.Pattern CONTAINER_FILE_LINE = java.util.regex.Pattern.compile("(/[^\\s:\"']+):(\\d+)");

    /** nginx names container paths ({@code /etc/nginx/conf.d/app.conf:7}); users edit host files. */
    private String toHostPaths(String message) {
        java.util.regex.Matcher m = CONTAINER_FILE_LINE.matcher(message);
        StringBuilder mapped = new StringBuilder();
        while (m.find()) {
            String host = nginxConfig.hostPathOf(m.group(1)).map(Object::toString).orElse(m.group(1));
            m.appendReplacement(mapped, java.util.regex.Matcher.quoteReplacement(host + ":" + m.group(2)));
        }
        m.appendTail(mapped);
        return mapped.toString();
    }

    private static ProxyStageException firstKnown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProxyStageException known) {
                return known;
            }
        }
        return null;
    }

    private RuntimeException userFacing(Throwable failure) {
        ProxyStageException known = firstKnown(failure);
        if (known != null) {
            String message = logs.masked(known.getMessage());
            return message.equals(known.getMessage()) ? known : new ProxyStageException(message);
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new ProxyStageException("stage '" + definition.name() + "' failed to start: " + logs.masked(String.valueOf(failure)), failure);
    }

    private static String millis(long sinceNanos) {
        long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
        return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
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
        return List.copyOf(backends.values());
    }

    @Override
    public Optional<StageBackend> backend(String name) {
        return Optional.ofNullable(backends.get(name));
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
    public synchronized dev.proxystage.internal.engine.Reload reload(StagePlan newPlan) {
        var result = new NginxReload(nginxContainer, definition.nginx(), nginx.mappedPorts().keySet(), Optional.ofNullable(traceConf)).apply(newPlan);
        if (result.isApplied()) {
            nginxConfig = newPlan.config();
        }
        return result;
    }

    @Override
    public void whenClosed(Runnable action) {
        afterClose.add(action);
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
        for (Backend backend : new ArrayList<>(backends.values())) {
            deadReason(backend.container, "backend '" + backend.name() + "' (" + backend.containerName() + ")").ifPresent(dead::add);
        }
        if (nginxContainer != null) {
            deadReason(nginxContainer, "nginx (" + nginx.containerName() + ")").ifPresent(dead::add);
        }
        if (!dead.isEmpty()) {
            throw new ProxyStageException("stage '" + definition.name() + "' is no longer whole: " + String.join("; ", dead));
        }
    }

    private static Optional<String> deadReason(GenericContainer<?> container, String subject) {
        try {
            var state = container.getCurrentContainerInfo().getState();
            if (Boolean.TRUE.equals(state.getRunning())) {
                return Optional.empty();
            }
            return Optional.of(subject + " exited with code " + state.getExitCodeLong() + PollingWait.formatTail(subject, container.getLogs()));
        } catch (RuntimeException gone) {
            return Optional.of(subject + " was removed");
        }
    }

    @Override
    public void assertIsolatedFrom(Stage other) {
        if (!(other instanceof StageEnvironment that)) {
            throw new IllegalArgumentException("not a ProxyStage stage: " + other);
        }
        if (that == this) {
            throw new IllegalArgumentException("a stage cannot be isolated from itself: " + this);
        }
        List<String> leaks = new ArrayList<>();
        for (Backend theirs : new ArrayList<>(that.backends.values())) {
            String address = that.logs.addressOf(theirs.name()).orElse(null);
            // Within one host, a reachable address answers in well under a second; a blocked one never does.
            String probe = "if getent hosts " + theirs.containerName() + " >/dev/null; then echo RESOLVED; fi; "
                    + (address == null ? "" : "if command -v bash >/dev/null; then "
                    + "timeout 1 bash -c 'exec 3<>/dev/tcp/" + address + "/" + theirs.port() + "' 2>/dev/null && echo REACHED; "
                    + "else echo NO_BASH; fi; ")
                    + "getent hosts " + theirs.alias() + " | cut -d' ' -f1";
            String out = execInNginx(probe);
            if (out.contains("RESOLVED")) {
                leaks.add(nginx.containerName() + " resolves " + theirs.containerName() + " of stage " + that.name());
            }
            if (out.contains("REACHED")) {
                leaks.add(nginx.containerName() + " reaches " + theirs.name() + "@" + that.name() + " at " + address + ":" + theirs.port());
            }
            if (out.contains("NO_BASH")) {
                leaks.add("cannot probe reachability: the nginx image " + nginx.image() + " has no bash");
            }
            if (address != null && out.lines().anyMatch(line -> line.strip().equals(address))) {
                leaks.add("alias '" + theirs.alias() + "' resolves to " + theirs.name() + "@" + that.name() + " (" + address + ")");
            }
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("stage " + name() + " is not isolated from stage " + that.name() + ":\n  "
                    + String.join("\n  ", leaks));
        }
    }

    private String execInNginx(String script) {
        try {
            return nginxContainer.execInContainer("sh", "-c", script).getStdout();
        } catch (IOException e) {
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

    private final class Backend implements StageBackend {

        private final BackendSpec spec;
        private final String containerName;
        private final GenericContainer<?> container;
        private final Optional<String> volume;

        Backend(BackendSpec spec, String containerName, GenericContainer<?> container, Optional<String> volume) {
            this.spec = spec;
            this.containerName = containerName;
            this.container = container;
            this.volume = volume;
        }

        @Override
        public String name() {
            return spec.name();
        }

        @Override
        public String alias() {
            return spec.alias();
        }

        @Override
        public String stage() {
            return definition.name();
        }

        @Override
        public String containerName() {
            return containerName;
        }

        @Override
        public String image() {
            return imageOf(spec);
        }

        @Override
        public int port() {
            return spec.port();
        }

        @Override
        public String directUrl() {
            return "http://" + host + ":" + container.getMappedPort(spec.port());
        }

        @Override
        public Optional<String> dataVolume() {
            return volume;
        }

        @Override
        public String logs() {
            return logs.masked(container.getLogs());
        }

        @Override
        public AutoCloseable followLogs(java.util.function.Consumer<String> sink) {
            return ContainerLogs.follow(container, (stderr, line) -> sink.accept(logs.masked(line)));
        }

        @Override
        public String toString() {
            return spec.name() + "@" + definition.name() + " (" + containerName + ")";
        }
    }

    private static final class Nginx implements StageNginx {

        private final String containerName;
        private final String image;
        private final Map<Integer, Integer> mappedPorts;
        private final GenericContainer<?> container;
        private final NginxErrorLog errorLog;

        Nginx(String containerName, String image, Map<Integer, Integer> mappedPorts, GenericContainer<?> container,
              NginxErrorLog errorLog) {
            this.containerName = containerName;
            this.image = image;
            this.mappedPorts = Collections.unmodifiableMap(new LinkedHashMap<>(mappedPorts));
            this.container = container;
            this.errorLog = errorLog;
        }

        @Override
        public NginxErrorLog errorLog() {
            return errorLog;
        }

        @Override
        public String containerName() {
            return containerName;
        }

        @Override
        public String image() {
            return image;
        }

        @Override
        public Map<Integer, Integer> mappedPorts() {
            return mappedPorts;
        }

        @Override
        public String logs() {
            return container.getLogs();
        }

        @Override
        public AutoCloseable followLogs(java.util.function.Consumer<String> sink) {
            return ContainerLogs.follow(container, (stderr, line) -> sink.accept(line));
        }
    }

}
