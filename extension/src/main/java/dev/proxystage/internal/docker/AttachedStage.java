package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.proxystage.LogMark;
import dev.proxystage.NginxErrorLog;
import dev.proxystage.ProxyStageException;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.tls.HandshakeCertificates;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;

/**
 * A stage an {@code up} holds, as a test JVM sees it after attaching: the same handles, client, routing traces and
 * log assertions as a stage it started, with its logs followed from attach time. It never stops or removes
 * anything: closing it only stops following the logs.
 */
final class AttachedStage implements StageInternals {

    private final DockerClient docker;
    private final StagePlan plan;
    private final String runId;
    private final Path caCertificatePem;
    private final String host;
    private final StageLogs logs;
    private final String networkName;
    private final Nginx nginx;
    private final Map<String, Backend> backends = new LinkedHashMap<>();
    /** How this JVM reaches the attached backends: the same rule as for a stage it started. */
    private volatile BackendReach reach;
    private final List<Runnable> afterClose = new CopyOnWriteArrayList<>();
    private StageClient client;
    private boolean closed;

    private AttachedStage(DockerClient docker, StagePlan plan, String runId, Path caCertificatePem,
                          InspectContainerResponse nginxInfo) {
        this.docker = docker;
        this.plan = plan;
        this.runId = runId;
        this.caCertificatePem = caCertificatePem;
        this.host = DockerEngine.publishedHost();
        this.logs = new StageLogs(plan.definition().name());
        plan.definition().backends().forEach(b -> logs.mask(b.secretValues()));
        logs.serverSources(ServerSources.of(plan.config(), plan.warnings()));
        this.networkName = nginxInfo.getNetworkSettings().getNetworks().keySet().stream()
                .filter(n -> n.startsWith("nginx-rp-network-")).findFirst()
                .orElseThrow(() -> new ProxyStageException("run " + runId + ": its nginx is on no stage network"));
        this.nginx = new Nginx(nginxInfo.getId(), nginxInfo.getName().replaceFirst("^/", ""),
                nginxInfo.getConfig().getImage(), publishedPorts(nginxInfo));
    }

    /** Attaches to the run whose nginx is {@code nginxId}; fails with one line when the stage is not whole. */
    static AttachedStage attach(DockerClient docker, StagePlan plan, String nginxId, String runId, Path caCertificatePem) {
        AttachedStage stage = new AttachedStage(docker, plan, runId, caCertificatePem, docker.inspectContainerCmd(nginxId).exec());
        try {
            stage.attachBackends();
            stage.logs.followFromNow(docker, stage.nginx.id, stage.nginx.containerName, true);
            StageClient routed = StageClient.connectTo(plan.definition().name(), stage.host, stage.nginx.mappedPorts, stage.logs);
            HandshakeCertificates trust = stage.trust();
            stage.client = routed.customize(b -> b.sslSocketFactory(trust.sslSocketFactory(), trust.trustManager()));
            stage.requireRunning();
            return stage;
        } catch (RuntimeException e) {
            stage.close();
            throw e;
        }
    }

    private void attachBackends() {
        StageDefinition definition = plan.definition();
        reach = BackendReach.of(docker, networkName, host);
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
            Backend backend = new Backend(spec, info.getId(), name, info.getConfig().getImage(),
                    publishedPorts(info).get(spec.port()), data);
            backends.put(spec.name(), backend);
            ContainerNetwork network = info.getNetworkSettings().getNetworks().get(networkName);
            if (network != null) {
                logs.backendAddress(network.getIpAddress(), spec.name(), spec.alias());
            }
            logs.followFromNow(docker, info.getId(), name, false);
        }
    }

    /** The CA that {@code up} published (never its key), and the certificates {@code tls.trust} adds. */
    private HandshakeCertificates trust() {
        HandshakeCertificates.Builder trust = new HandshakeCertificates.Builder();
        List<Path> files = new ArrayList<>();
        files.add(caCertificatePem);
        files.addAll(plan.definition().tls().trust());
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
            docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).exec(callback).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return text.toUtf8String();
    }

    private AutoCloseable follow(String containerId, Consumer<String> sink) {
        return StageLogs.followLines(docker, containerId, true, (stderr, line) -> sink.accept(logs.masked(line)));
    }

    @Override
    public void requireRunning() {
        List<String> dead = new ArrayList<>();
        for (Backend backend : backends.values()) {
            deadReason(backend.id, "backend '" + backend.name() + "' (" + backend.containerName + ")").ifPresent(dead::add);
        }
        deadReason(nginx.id, "nginx (" + nginx.containerName + ")").ifPresent(dead::add);
        if (!dead.isEmpty()) {
            throw new ProxyStageException("stage '" + name() + "' (run " + runId + ", held by an 'up') is no longer whole: "
                    + String.join("; ", dead));
        }
    }

    private Optional<String> deadReason(String containerId, String subject) {
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
        return plan.definition().name();
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
    public Path caCertificatePem() {
        return caCertificatePem;
    }

    @Override
    public Path confDir() {
        return plan.definition().nginx().confDir();
    }

    @Override
    public Optional<String> backendAddress(String name) {
        return logs.addressOf(name);
    }

    @Override
    public void assertIsolatedFrom(Stage other) {
        throw new ProxyStageException("assertIsolatedFrom needs stages this JVM started; stage " + name() + " (run "
                + runId + ") is attached (run without -Dproxystage.attach=true)");
    }

    @Override
    public StageDefinition definition() {
        return plan.definition();
    }

    @Override
    public NginxConfig nginxConfig() {
        return plan.config();
    }

    @Override
    public LogMark testStarted() {
        return logs.testStarted();
    }

    @Override
    public void testFinished() {
        logs.testFinished();
    }

    @Override
    public String diagnosticsSince(LogMark mark, String thread) {
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
        private final Integer mappedPort;
        private final Optional<String> data;

        Backend(BackendSpec spec, String id, String containerName, String image, Integer mappedPort, Optional<String> data) {
            this.spec = spec;
            this.id = id;
            this.containerName = containerName;
            this.image = image;
            this.mappedPort = mappedPort;
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
            // The same rule as for a stage this JVM started: its address where this host is on the network.
            Optional<String> address = logs.addressOf(spec.name());
            if (reach.publishes() ? mappedPort == null : address.isEmpty()) {
                throw new ProxyStageException("backend '" + spec.name() + "' of run " + runId + " cannot be reached on port "
                        + spec.port() + " from here");
            }
            return "http://" + reach.hostOf(address.orElse(null)) + ":" + reach.portOf(spec.port(), p -> mappedPort);
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
            return logsOf(id);
        }

        @Override
        public AutoCloseable followLogs(Consumer<String> sink) {
            return follow(id, sink);
        }
    }
}
