package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.internal.logs.TraceLog;
import dev.proxystage.LogMark;
import dev.proxystage.NginxErrorLog;
import dev.proxystage.ProxyStageException;
import dev.proxystage.RoutingTrace;
import dev.proxystage.RoutingTraces;
import dev.proxystage.Stage;
import dev.proxystage.StageBackend;
import dev.proxystage.StageClient;
import dev.proxystage.StageNginx;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import okhttp3.tls.HandshakeCertificates;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;

/**
 * A stage an {@code up} holds, as a test JVM sees it after attaching: the same handles, client, routing traces and
 * log assertions as a stage it started, with its logs followed from attach time. It never stops or removes
 * anything: closing it only stops following the logs.
 *
 * <p>Attached through {@code up}'s {@link StageRecord}, it needs no Docker client for the first request, and, when the
 * record's inputs are this JVM's, not even the stage's plan. The engine is reached once something needs it or the
 * first test has finished, on a thread of its own: it checks the containers' labels against the record and follows
 * the logs from the attach time on. What needs the engine (traces, diagnostics, logs) waits for that.
 */
final class AttachedStage implements StageInternals {

    private volatile CompletableFuture<DockerClient> docker;
    private final Supplier<StagePlan> planSource;
    private volatile StagePlan plan;
    private final String stage;
    private final List<Path> trust;
    private final String runId;
    private final Path caCertificatePem;
    private final String host;
    private final StageLogs logs;
    private volatile StageCoverage coverage;
    private final String networkName;
    private final Nginx nginx;
    private final Map<String, Backend> backends = new LinkedHashMap<>();
    /** The record attached through, with its file; null when attached by labels. */
    private final Path recordFile;
    private final StageRecord record;
    /** Done once the engine is reached and the logs are wired; completed at once when attached by labels. */
    private volatile CompletableFuture<Void> connected = CompletableFuture.completedFuture(null);
    /** When attached by its record: the engine is reached once something needs it, not before. */
    private volatile Runnable connecting = () -> { };
    /** Why the labels contradict the record, once the background check found that. */
    private volatile String broken;
    private final List<Runnable> afterClose = new CopyOnWriteArrayList<>();
    private StageClient client;
    private boolean closed;

    /** The engine the stage runs on, as this JVM reaches it. */
    private final DockerEngine engine;

    private AttachedStage(DockerEngine engine, CompletableFuture<DockerClient> docker, String stage, Supplier<StagePlan> plan, List<Path> trust,
                          String runId, Path caCertificatePem, String host, String networkName, String nginxId,
                          String nginxName, String nginxImage, Map<Integer, Integer> nginxPorts, Path recordFile,
                          StageRecord record) {
        this.engine = engine;
        this.docker = docker;
        this.stage = stage;
        this.planSource = plan;
        this.trust = List.copyOf(trust);
        this.runId = runId;
        this.caCertificatePem = caCertificatePem;
        this.host = host;
        this.networkName = networkName;
        this.nginx = new Nginx(nginxId, nginxName, nginxImage, nginxPorts);
        this.recordFile = recordFile;
        this.record = record;
        this.logs = new StageLogs(stage);
    }

    /** The stage's plan, made on first use when the record's inputs let the attach go without it. */
    private StagePlan plan() {
        StagePlan known = plan;
        if (known == null) {
            synchronized (planSource) {
                if (plan == null) {
                    plan = planSource.get();
                }
                known = plan;
            }
        }
        return known;
    }

    /** Before any log line is shown: secrets masked, server blocks known by their conf.d lines. */
    private void wireLogs(StagePlan plan) {
        plan.definition().backends().forEach(b -> logs.mask(b.secretValues()));
        logs.serverSources(ServerSources.of(plan.config(), plan.warnings()));
        coverage = new StageCoverage(stage, plan.config());
        logs.coverage(coverage);
    }

    /** Attaches to the run whose nginx is {@code nginxId}, found by labels; fails with one line when the stage is not whole. */
    static AttachedStage attach(DockerEngine engine, StagePlan plan, String nginxId, String runId, Path caCertificatePem) {
        DockerClient docker = engine.client();
        InspectContainerResponse info = docker.inspectContainerCmd(nginxId).exec();
        String network = info.getNetworkSettings().getNetworks().keySet().stream()
                .filter(n -> n.startsWith("nginx-rp-network-")).findFirst()
                .orElseThrow(() -> new ProxyStageException("run " + runId + ": its nginx is on no stage network"));
        String host = engine.publishedHost();
        AttachedStage stage = new AttachedStage(engine, CompletableFuture.completedFuture(docker), plan.definition().name(),
                () -> plan, plan.definition().tls().trust(), runId, caCertificatePem, host, network, info.getId(),
                info.getName().replaceFirst("^/", ""), info.getConfig().getImage(), publishedPorts(info), null, null);
        return stage.completed(() -> {
            stage.wireLogs(plan);
            stage.attachBackends(docker);
            stage.logs.followFromNow(docker, stage.nginx.id, stage.nginx.containerName, true);
        });
    }

    /**
     * Attaches through the record {@code up} keeps in {@code directory} (judged usable by the caller), without
     * waiting for the engine; {@code plan} is asked when something needs it, {@code trust} are the extra
     * certificates the client trusts. Fails with one line when the record lacks a backend the definition has.
     */
    static AttachedStage fromRecord(DockerEngine engine, StageRecord record, Path directory, Supplier<StagePlan> plan, List<Path> trust) {
        long since = Instant.now().getEpochSecond();
        AttachedStage stage = new AttachedStage(engine, null, record.stage(), plan, trust, record.runId(), directory.resolve("ca.pem"),
                record.publishedHost(), record.network(), record.nginx(), record.nginx(), record.nginxImage(),
                record.nginxPorts(), directory.resolve(StageRecord.FILE), record);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        stage.connected = connected;
        stage.connecting = new Runnable() {
            private boolean started;

            @Override
            public synchronized void run() {
                if (started) {
                    return;
                }
                started = true;
                stage.docker = engine.connecting();
                // Async even when the client is there already: the label check and the log stream stay off this thread.
                stage.docker.thenAcceptAsync(client -> stage.connect(client, since), task -> {
                    Thread thread = new Thread(task, "proxystage-attach");
                    thread.setDaemon(true);
                    thread.start();
                }).whenComplete((done, failure) -> {
                    if (failure != null) {
                        connected.completeExceptionally(failure);
                    } else {
                        connected.complete(null);
                    }
                });
            }
        };
        return stage.completed(() -> { });
    }

    /** The backends as the record holds them, with their definitions. */
    private void recordedBackends() {
        for (BackendSpec spec : plan().definition().backends()) {
            StageRecord.Backend held = record.backends().stream().filter(b -> b.name().equals(spec.name())).findFirst()
                    .orElseThrow(() -> new ProxyStageException("run " + record.runId() + " has no backend '"
                            + spec.name() + "'; stop its 'up' and start it again"));
            backends.put(spec.name(), new Backend(spec, held.container(), held.container(), held.image(),
                    held.url(), held.data()));
            held.address().ifPresent(address -> logs.backendAddress(address, spec.name(), spec.alias()));
        }
    }

    /** The backends, known from the record on first use when attached by it. */
    private synchronized Map<String, Backend> backendMap() {
        if (record != null && backends.isEmpty()) {
            recordedBackends();
        }
        return backends;
    }

    /** After {@code wiring}: the client, and the check that the stage runs; a failure closes what was wired. */
    private AttachedStage completed(Runnable wiring) {
        try {
            wiring.run();
            connectClient();
            requireRunning();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** In the background: the containers' labels must be the record's; then nginx's lines from {@code since} on. */
    private void connect(DockerClient client, long since) {
        wireLogs(plan());
        Map<String, Backend> known = backendMap();
        record.contradiction(caCertificatePem, client.listContainersCmd().withLabelFilter(Map.of(Labels.RUN, runId)).exec())
                .ifPresent(why -> broken = why + " (on " + engine.endpoint() + ")");
        synchronized (this) {
            if (closed) {
                return;
            }
            known.values().forEach(b -> logs.followFromNow(client, b.id, b.containerName, false));
            logs.followSince(client, nginx.id, nginx.containerName, since);
        }
    }

    private void connectClient() {
        client = StageClient.connectTo(stage, host, nginx.mappedPorts, new RoutingTraces() {
            @Override
            public void sent(String requestId, String method, String url) {
                logs.sent(requestId, method, url);
            }

            @Override
            public void sent(String requestId, String method, String url, java.util.Map<String, String> headers) {
                logs.sent(requestId, method, url, headers);
            }

            @Override
            public Optional<RoutingTrace> await(String requestId, Duration wait) {
                long deadline = System.nanoTime() + wait.toNanos();
                awaitConnected();
                return logs.await(requestId, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }, trust());
    }

    /** Waits until the engine is reached and the logs are wired; the engine's failure, as its one-line error. */
    private void awaitConnected() {
        connecting.run();
        try {
            connected.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private DockerClient docker() {
        awaitConnected();
        return docker.join();
    }

    private void attachBackends(DockerClient docker) {
        StageDefinition definition = plan().definition();
        BackendReach reach = BackendReach.of(engine, networkName);
        List<Container> running = docker.listContainersCmd()
                .withLabelFilter(Map.of(Labels.RUN, runId, Labels.ROLE, "backend")).exec();
        for (BackendSpec spec : definition.backends()) {
            Container container = running.stream()
                    .filter(c -> spec.name().equals(c.getLabels().get(Labels.BACKEND))).findFirst()
                    .orElseThrow(() -> new ProxyStageException("run " + runId + " has no running backend '" + spec.name()
                            + "'; stop its 'up' and start it again"));
            InspectContainerResponse info = docker.inspectContainerCmd(container.getId()).exec();
            String name = info.getName().replaceFirst("^/", "");
            Optional<String> data = spec.dataMount().flatMap(mount -> info.getMounts() == null ? Optional.empty()
                    : info.getMounts().stream().filter(m -> m.getDestination() != null && mount.equals(m.getDestination().getPath()))
                    .findFirst().map(m -> m.getName() != null ? m.getName() : m.getSource()));
            ContainerNetwork network = info.getNetworkSettings().getNetworks().get(networkName);
            Optional<String> address = Optional.ofNullable(network).map(ContainerNetwork::getIpAddress).filter(a -> !a.isEmpty());
            address.ifPresent(a -> logs.backendAddress(a, spec.name(), spec.alias()));
            // The same rule as for a stage this JVM started: its address where this host is on the network.
            Integer mapped = publishedPorts(info).get(spec.port());
            Optional<String> url = (reach.publishes() ? mapped == null : address.isEmpty()) ? Optional.empty()
                    : Optional.of("http://" + reach.hostOf(address.orElse(null)) + ":" + reach.portOf(spec.port(), p -> mapped));
            backends.put(spec.name(), new Backend(spec, info.getId(), name, info.getConfig().getImage(), url, data));
            logs.followFromNow(docker, info.getId(), name, false);
        }
    }

    /** The CA that {@code up} published (never its key), and the certificates {@code tls.trust} adds. */
    private HandshakeCertificates trust() {
        HandshakeCertificates.Builder trust = new HandshakeCertificates.Builder();
        List<Path> files = new ArrayList<>();
        files.add(caCertificatePem);
        files.addAll(this.trust);
        for (Path file : files) {
            try {
                for (var certificate : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
                    trust.addTrustedCertificate((X509Certificate) certificate);
                }
            } catch (IOException | CertificateException e) {
                throw new ProxyStageException("cannot read the certificate " + file + " of run " + runId + ": " + e.getMessage());
            }
        }
        return trust.build();
    }

    private static Map<Integer, Integer> publishedPorts(InspectContainerResponse info) {
        Map<Integer, Integer> mapped = new LinkedHashMap<>();
        Map<ExposedPort, Ports.Binding[]> bindings = info.getNetworkSettings().getPorts().getBindings();
        bindings.forEach((port, bound) -> {
            if (bound != null && bound.length > 0) {
                mapped.put(port.getPort(), Integer.parseInt(bound[0].getHostPortSpec()));
            }
        });
        return mapped;
    }

    private String logsOf(String containerId) {
        ToStringConsumer text = new ToStringConsumer();
        FrameConsumerResultCallback callback = new FrameConsumerResultCallback();
        callback.addConsumer(OutputFrame.OutputType.STDOUT, text);
        callback.addConsumer(OutputFrame.OutputType.STDERR, text);
        try {
            docker().logContainerCmd(containerId).withStdOut(true).withStdErr(true).exec(callback).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return text.toUtf8String();
    }

    private AutoCloseable follow(String containerId, Consumer<String> sink) {
        return StageLogs.followLines(docker(), containerId, true, (stderr, line) -> sink.accept(logs.masked(line)));
    }

    @Override
    public void requireRunning() {
        requireNotBroken();
        if (record != null && !connected.isDone()) {
            // Before the engine answers: the 'up' holding it lives and still publishes it (it ends when a container stops).
            if (!Files.isRegularFile(recordFile) || !record.writerLives()) {
                throw new ProxyStageException("stage '" + name() + "' (run " + runId + "): the 'up' that holds it has stopped");
            }
            return;
        }
        DockerClient engine = docker();
        requireNotBroken();
        List<String> dead = new ArrayList<>();
        for (Backend backend : backendMap().values()) {
            deadReason(engine, backend.id, "backend '" + backend.name() + "' (" + backend.containerName + ")").ifPresent(dead::add);
        }
        deadReason(engine, nginx.id, "nginx (" + nginx.containerName + ")").ifPresent(dead::add);
        if (!dead.isEmpty()) {
            throw new ProxyStageException("stage '" + name() + "' (run " + runId + ", held by an 'up') is no longer whole: "
                    + String.join("; ", dead));
        }
    }

    private void requireNotBroken() {
        if (broken != null) {
            throw new ProxyStageException("stage '" + name() + "' (run " + runId + ", held by an 'up') cannot be used: " + broken);
        }
    }

    private static Optional<String> deadReason(DockerClient docker, String containerId, String subject) {
        try {
            var state = docker.inspectContainerCmd(containerId).exec().getState();
            return Boolean.TRUE.equals(state.getRunning()) ? Optional.empty()
                    : Optional.of(subject + " exited with code " + state.getExitCodeLong());
        } catch (RuntimeException gone) {
            return Optional.of(subject + " was removed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        logs.close();
        afterClose.forEach(Runnable::run);
    }

    @Override
    public String name() {
        return stage;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String networkName() {
        return networkName;
    }

    @Override
    public List<StageBackend> backends() {
        return List.copyOf(backendMap().values());
    }

    @Override
    public Optional<StageBackend> backend(String name) {
        return Optional.ofNullable(backendMap().get(name));
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
    public Path caCertificatePem() {
        return caCertificatePem;
    }

    @Override
    public Path confDir() {
        return plan().definition().nginx().confDir();
    }

    @Override
    public Optional<String> backendAddress(String name) {
        return logs.addressOf(name);
    }

    @Override
    public void assertIsolatedFrom(Stage other) {
        IsolationProbe.assertIsolated(this, this::execInNginx, StageInternals.of(other));
    }

    /** A read-only probe script in the held nginx; its stdout. */
    private String execInNginx(String script) {
        DockerClient engine = docker();
        String exec = engine.execCreateCmd(nginx.id).withCmd("sh", "-c", script).withAttachStdout(true)
                .withAttachStderr(true).exec().getId();
        ToStringConsumer out = new ToStringConsumer();
        FrameConsumerResultCallback callback = new FrameConsumerResultCallback();
        callback.addConsumer(OutputFrame.OutputType.STDOUT, out);
        try {
            engine.execStartCmd(exec).exec(callback).awaitCompletion(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxyStageException("interrupted while probing " + nginx.containerName);
        }
        return out.toUtf8String();
    }

    @Override
    public StageDefinition definition() {
        return plan().definition();
    }

    @Override
    public Optional<StageCoverage> coverage() {
        return Optional.ofNullable(coverage);
    }

    @Override
    public NginxConfig nginxConfig() {
        return plan().config();
    }

    @Override
    public LogMark testStarted() {
        return logs.testStarted();
    }

    @Override
    public void testFinished() {
        logs.testFinished();
        // After the first test, not before it: the engine's client would compete with it for a fresh JVM's CPU.
        connecting.run();
    }

    @Override
    public String diagnosticsSince(LogMark mark, String thread) {
        try {
            awaitConnected();
        } catch (RuntimeException e) {
            return "(no diagnostics: " + e.getMessage() + ")";
        }
        return logs.diagnostics(mark, thread);
    }

    @Override
    public void whenClosed(Runnable action) {
        afterClose.add(action);
    }

    @Override
    public String toString() {
        return "stage " + name() + " (run " + runId + ", attached)";
    }

    private final class Backend implements StageBackend {

        private final BackendSpec spec;
        private final String id;
        private final String containerName;
        private final String image;
        private final Optional<String> url;
        private final Optional<String> data;

        Backend(BackendSpec spec, String id, String containerName, String image, Optional<String> url, Optional<String> data) {
            this.spec = spec;
            this.id = id;
            this.containerName = containerName;
            this.image = image;
            this.url = url;
            this.data = data;
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
            return AttachedStage.this.name();
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
        public int port() {
            return spec.port();
        }

        @Override
        public String directUrl() {
            return url.orElseThrow(() -> new ProxyStageException("backend '" + spec.name() + "' of run " + runId
                    + " cannot be reached on port " + spec.port() + " from here"));
        }

        @Override
        public Optional<String> dataVolume() {
            return data;
        }

        @Override
        public String logs() {
            return logs.masked(logsOf(id));
        }

        @Override
        public AutoCloseable followLogs(Consumer<String> sink) {
            return follow(id, sink);
        }

        @Override
        public String toString() {
            return spec.name() + "@" + AttachedStage.this.name() + " (" + containerName + ", attached)";
        }
    }

    private final class Nginx implements StageNginx {

        private final String id;
        private final String containerName;
        private final String image;
        private final Map<Integer, Integer> mappedPorts;

        Nginx(String id, String containerName, String image, Map<Integer, Integer> mappedPorts) {
            this.id = id;
            this.containerName = containerName;
            this.image = image;
            this.mappedPorts = Collections.unmodifiableMap(mappedPorts);
        }

        @Override
        public NginxErrorLog errorLog() {
            awaitConnected();
            return logs.nginxErrorLog();
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
            return TraceLog.withoutRecords(logsOf(id));
        }

        @Override
        public AutoCloseable followLogs(Consumer<String> sink) {
            return follow(id, line -> {
                if (!TraceLog.isRecord(line)) {
                    sink.accept(line);
                }
            });
        }
    }
}
