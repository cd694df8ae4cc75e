package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.LogMark;
import dev.proxystage.ProxyStageException;
import dev.proxystage.StageClient;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import okhttp3.tls.HandshakeCertificates;
import org.slf4j.LoggerFactory;

/**
 * A stage an {@code up} holds, as a test JVM sees it after attaching: the handles, client, routing traces and log
 * assertions of a stage it started ({@link DockerStage}), over the containers it finds by the {@code up}'s record or
 * by labels. It never stops or removes anything: closing it only stops following the logs.
 *
 * <p>Attached through {@code up}'s {@link StageRecord}, it needs no Docker client for the first request, and, when the
 * record's inputs are this JVM's, not even the stage's plan. The engine is reached once something needs it or the
 * first test has finished, on a thread of its own: it checks the containers' labels against the record and follows
 * the logs from the attach time on. What needs the engine (traces, diagnostics, logs) waits for that.
 */
final class AttachedStage extends DockerStage {

    private volatile CompletableFuture<DockerClient> docker;
    private final Supplier<StagePlan> planSource;
    private volatile StagePlan plan;
    private final List<Path> trust;
    private final String host;
    private final String networkName;
    private final DockerNginx nginx;
    private final Map<String, DockerBackend> backends = new LinkedHashMap<>();
    /** The record attached through, with its file; null when attached by labels. */
    private final Path recordFile;
    private final StageRecord record;
    /** Done once the engine is reached and the logs are wired; completed at once when attached by labels. */
    private volatile CompletableFuture<Void> connected = CompletableFuture.completedFuture(null);
    /** When attached by its record: the engine is reached once something needs it, not before. */
    private volatile Runnable connecting = () -> { };
    /** Why the labels contradict the record, once the background check found that. */
    private volatile String broken;
    private boolean closed;

    /** The engine the stage runs on, as this JVM reaches it. */
    private final DockerEngine engine;

    private AttachedStage(DockerEngine engine, CompletableFuture<DockerClient> docker, String stage, Supplier<StagePlan> plan, List<Path> trust,
                          String runId, Path caCertificatePem, String host, String networkName, String nginxId,
                          String nginxName, String nginxImage, Map<Integer, Integer> nginxPorts, Path recordFile,
                          StageRecord record) {
        super(stage, runId, caCertificatePem, host, line -> LoggerFactory.getLogger(AttachedStage.class).info("{}", line));
        this.engine = engine;
        this.docker = docker;
        this.planSource = plan;
        this.trust = List.copyOf(trust);
        this.host = host;
        this.networkName = networkName;
        this.recordFile = recordFile;
        this.record = record;
        // What reads traces or nginx's error log waits until the engine is reached and the logs are wired.
        logs().readAfter(this::awaitConnected);
        this.nginx = new DockerNginx(nginxName, nginxImage, () -> container(nginxId), nginxPorts, logs().nginxErrorLog());
    }

    /** A container of the stage by id, on the engine's client once it is reached. */
    private ContainerLogs.Ref container(String id) {
        return new ContainerLogs.Ref(docker(), id);
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
        plan.definition().backends().forEach(b -> logs().mask(b.secretValues()));
        logs().serverSources(ServerSources.of(plan.config(), plan.warnings()));
        counting(new StageCoverage(name(), plan.config()));
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
            stage.logs().followFromNow(docker, info.getId(), stage.nginx.containerName(), true);
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
            // A record names each container by its name, which the engine takes for its id.
            DockerBackend backend = new DockerBackend(spec, name(), held.container(), held.image(),
                    () -> container(held.container()), held.data(), logs(), address -> held.url().orElseThrow(() -> unreachable(spec)),
                    faults());
            backends.put(spec.name(), backend);
            held.address().ifPresent(backend::started);
        }
    }

    /** The backends, known from the record on first use when attached by it. */
    private synchronized Map<String, DockerBackend> backendMap() {
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
        Map<String, DockerBackend> known = backendMap();
        record.contradiction(caCertificatePem(), client.listContainersCmd().withLabelFilter(Map.of(Labels.RUN, runId())).exec())
                .ifPresent(why -> broken = why + " (on " + engine.endpoint() + ")");
        faultProxyAddresses(client);
        synchronized (this) {
            if (closed) {
                return;
            }
            // By name, which the record holds and the engine takes for an id.
            known.values().forEach(b -> logs().followFromNow(client, b.containerName(), b.containerName(), false));
            logs().followSince(client, record.nginx(), nginx.containerName(), since);
        }
    }

    private void connectClient() {
        connected(StageClient.connectTo(name(), host, nginx.mappedPorts(), logs(), trust()));
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

    @Override
    DockerClient docker() {
        awaitConnected();
        return docker.join();
    }

    private void attachBackends(DockerClient docker) {
        StageDefinition definition = plan().definition();
        BackendReach reach = BackendReach.of(engine, networkName);
        List<Container> running = docker.listContainersCmd()
                .withLabelFilter(Map.of(Labels.RUN, runId(), Labels.ROLE, "backend")).exec();
        for (BackendSpec spec : definition.backends()) {
            Container container = running.stream()
                    .filter(c -> spec.name().equals(c.getLabels().get(Labels.BACKEND))).findFirst()
                    .orElseThrow(() -> new ProxyStageException("run " + runId() + " has no running backend '" + spec.name()
                            + "'; stop its 'up' and start it again"));
            InspectContainerResponse info = docker.inspectContainerCmd(container.getId()).exec();
            String name = info.getName().replaceFirst("^/", "");
            Optional<String> data = spec.dataMount().flatMap(mount -> info.getMounts() == null ? Optional.empty()
                    : info.getMounts().stream().filter(m -> m.getDestination() != null && mount.equals(m.getDestination().getPath()))
                    .findFirst().map(m -> m.getName() != null ? m.getName() : m.getSource()));
            ContainerNetwork network = info.getNetworkSettings().getNetworks().get(networkName);
            Optional<String> address = Optional.ofNullable(network).map(ContainerNetwork::getIpAddress).filter(a -> !a.isEmpty());
            // The same rule as for a stage this JVM started: its address where this host is on the network.
            Integer mapped = publishedPorts(info).get(spec.port());
            Optional<String> url = (reach.publishes() ? mapped == null : address.isEmpty()) ? Optional.empty()
                    : Optional.of("http://" + reach.hostOf(address.orElse(null)) + ":" + reach.portOf(spec.port(), p -> mapped));
            ContainerLogs.Ref ref = new ContainerLogs.Ref(docker, info.getId());
            DockerBackend backend = new DockerBackend(spec, name(), name, info.getConfig().getImage(), () -> ref, data, logs(),
                    at -> url.orElseThrow(() -> unreachable(spec)), faults());
            backends.put(spec.name(), backend);
            address.ifPresent(backend::started);
            logs().followFromNow(docker, info.getId(), name, false);
        }
        faultProxyAddresses(docker);
    }

    /** nginx reaches a backend with the fault proxy in its path at the proxy's address: traces name the backend there. */
    private void faultProxyAddresses(DockerClient docker) {
        Map<String, BackendSpec> specs = new LinkedHashMap<>();
        plan().definition().backends().forEach(spec -> specs.put(spec.name(), spec));
        for (Container proxy : docker.listContainersCmd()
                .withLabelFilter(Map.of(Labels.RUN, runId(), Labels.ROLE, StageFaults.ROLE_FAULT_PROXY)).exec()) {
            BackendSpec spec = specs.get(proxy.getLabels().get(Labels.BACKEND));
            ContainerNetwork network = proxy.getNetworkSettings() == null ? null
                    : proxy.getNetworkSettings().getNetworks().get(networkName);
            if (spec != null && network != null && network.getIpAddress() != null) {
                logs().backendAddress(network.getIpAddress(), spec.name(), spec.alias());
            }
        }
    }

    private ProxyStageException unreachable(BackendSpec spec) {
        return new ProxyStageException("backend '" + spec.name() + "' of run " + runId() + " cannot be reached on port "
                + spec.port() + " from here");
    }

    /** The CA that {@code up} published (never its key), and the certificates {@code tls.trust} adds. */
    private HandshakeCertificates trust() {
        HandshakeCertificates.Builder trust = new HandshakeCertificates.Builder();
        List<Path> files = new ArrayList<>();
        files.add(caCertificatePem());
        files.addAll(this.trust);
        for (Path file : files) {
            try {
                for (var certificate : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
                    trust.addTrustedCertificate((X509Certificate) certificate);
                }
            } catch (IOException | CertificateException e) {
                throw new ProxyStageException("cannot read the certificate " + file + " of run " + runId() + ": " + e.getMessage());
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

    @Override
    public void requireRunning() {
        requireNotBroken();
        if (record != null && !connected.isDone()) {
            // Before the engine answers: the 'up' holding it lives and still publishes it (it ends when a container stops).
            if (!Files.isRegularFile(recordFile) || !record.writerLives()) {
                throw new ProxyStageException("stage '" + name() + "' (run " + runId() + "): the 'up' that holds it has stopped");
            }
            return;
        }
        awaitConnected();
        requireNotBroken();
        List<String> dead = deadParts();
        if (!dead.isEmpty()) {
            throw new ProxyStageException("stage '" + name() + "' (run " + runId() + ", held by an 'up') is no longer whole: "
                    + String.join("; ", dead));
        }
    }

    private void requireNotBroken() {
        if (broken != null) {
            throw new ProxyStageException("stage '" + name() + "' (run " + runId() + ", held by an 'up') cannot be used: " + broken);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        logs().close();
        afterClose();
    }

    @Override
    public String networkName() {
        return networkName;
    }

    @Override
    List<DockerBackend> dockerBackends() {
        return List.copyOf(backendMap().values());
    }

    @Override
    Optional<DockerNginx> dockerNginx() {
        return Optional.of(nginx);
    }

    @Override
    public StageDefinition definition() {
        return plan().definition();
    }

    @Override
    public NginxConfig nginxConfig() {
        return plan().config();
    }

    @Override
    public void testFinished() {
        super.testFinished();
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
        return super.diagnosticsSince(mark, thread);
    }

    @Override
    public String toString() {
        return "stage " + name() + " (run " + runId() + ", attached)";
    }
}
