package dev.proxystage.glue;

import com.sun.net.httpserver.HttpServer;
import dev.proxystage.EngineUnavailableException;
import dev.proxystage.LogMark;
import dev.proxystage.ProxyStageException;
import dev.proxystage.RoutingTrace;
import dev.proxystage.Stage;
import dev.proxystage.StageBackend;
import dev.proxystage.StageClient;
import dev.proxystage.StageNginx;
import dev.proxystage.echo.EchoServer;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine without containers, for tests of the JUnit glue: a stage's "nginx" is an in-JVM echo server that
 * answers as the stage's first backend, so routing assertions pass or fail for real. It records what the glue
 * asked of it. Selected with {@code proxystage.engine=dev.proxystage.glue.FakeEngine}.
 */
public final class FakeEngine implements Engine {

    /** Everything the glue did, in order: {@code start prep}, {@code close prep}, {@code mark prep}, … */
    public static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    /** When set, every start fails as an engine that does not answer. */
    public static final AtomicBoolean UNAVAILABLE = new AtomicBoolean();
    /** When set, the next requireRunning of any stage fails as if its backend had died. */
    public static final AtomicBoolean DIE = new AtomicBoolean();
    public static final AtomicInteger STARTS = new AtomicInteger();
    /** A stage named here answers every request with this status instead of its echo: a drift between stages. */
    public static final Map<String, Integer> ANSWER_STATUS = new ConcurrentHashMap<>();

    /** What the fake nginx has logged to its error log, in order; fixtures add to it. */
    public static final List<String> NGINX_ERROR_LOG = new CopyOnWriteArrayList<>();

    public static void reset() {
        EVENTS.clear();
        NGINX_ERROR_LOG.clear();
        ANSWER_STATUS.clear();
        UNAVAILABLE.set(false);
        DIE.set(false);
        STARTS.set(0);
    }

    @Override
    public String sweepOrphans() {
        EVENTS.add("sweep");
        return "";
    }

    @Override
    public StageInternals start(StagePlan plan, String runId) {
        if (UNAVAILABLE.get()) {
            throw new EngineUnavailableException("no Docker engine answers (fake)");
        }
        STARTS.incrementAndGet();
        EVENTS.add("start " + plan.definition().name());
        return new FakeStage(plan, runId);
    }

    static final class FakeStage implements StageInternals {

        private final StagePlan plan;
        private final String runId;
        private final ServerSocket echo;
        /** Set when {@link #ANSWER_STATUS} names this stage: it answers instead of the echo. */
        private final HttpServer fixedStatus;
        private final StageClient client;
        private final AtomicLong marks = new AtomicLong();
        /** The requests the client sent, numbered with the marks, so diagnostics can tell whose they are. */
        private final List<Request> requests = new CopyOnWriteArrayList<>();

        private record Request(long sequence, String thread, String text) {
        }
        private final List<Runnable> afterClose = new CopyOnWriteArrayList<>();
        private boolean closed;

        FakeStage(StagePlan plan, String runId) {
            this.plan = plan;
            this.runId = runId;
            String backend = plan.definition().backends().get(0).alias();
            try {
                echo = EchoServer.start(0, Map.of("PROXYSTAGE_STAGE", plan.definition().name(), "PROXYSTAGE_ALIAS", backend,
                        "PROXYSTAGE_BACKEND", backend));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Integer status = ANSWER_STATUS.get(plan.definition().name());
            fixedStatus = status == null ? null : answering(status);
            int port = fixedStatus == null ? echo.getLocalPort() : fixedStatus.getAddress().getPort();
            Map<Integer, Integer> ports = new HashMap<>();
            plan.nginxPorts().forEach(p -> ports.put(p, port));
            client = StageClient.connectTo(plan.definition().name(), "127.0.0.1", ports, new StageClient.Traces() {
                @Override
                public void sent(String requestId, String method, String url) {
                    requests.add(new Request(marks.incrementAndGet(), Thread.currentThread().getName(), method + " " + url));
                }

                @Override
                public Optional<RoutingTrace> await(String requestId, Duration wait) {
                    return Optional.empty();
                }
            });
        }

        private static HttpServer answering(int status) {
            try {
                var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.createContext("/", exchange -> {
                    exchange.sendResponseHeaders(status, -1);
                    exchange.close();
                });
                server.start();
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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
        public void requireRunning() {
            if (DIE.getAndSet(false)) {
                throw new ProxyStageException("stage '" + name() + "' is no longer whole: backend 'vaultwarden' exited with code 137");
            }
        }

        @Override
        public LogMark testStarted() {
            EVENTS.add("mark " + name());
            LogMark mark = new LogMark(marks.incrementAndGet());
            logAt.put(mark.sequence(), NGINX_ERROR_LOG.size());
            return mark;
        }

        /** Where the error log stood at each mark. */
        private final Map<Long, Integer> logAt = new ConcurrentHashMap<>();

        @Override
        public List<String> nginxErrorLogSince(LogMark mark) {
            int from = logAt.getOrDefault(mark.sequence(), 0);
            return List.copyOf(NGINX_ERROR_LOG.subList(from, NGINX_ERROR_LOG.size()));
        }

        @Override
        public void testFinished() {
            EVENTS.add("finished " + name());
        }

        @Override
        public String diagnosticsSince(LogMark mark, String thread) {
            StringBuilder report = new StringBuilder("fake diagnostics of " + name() + " since mark " + mark.sequence());
            requests.stream().filter(r -> r.sequence() > mark.sequence() && r.thread().equals(thread))
                    .forEach(r -> report.append("\n  ").append(r.text()));
            return report.toString();
        }

        @Override
        public Optional<String> backendAddress(String name) {
            return Optional.empty();
        }

        @Override
        public void whenClosed(Runnable action) {
            afterClose.add(action);
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
            return "fake-" + name() + "-" + runId;
        }

        @Override
        public List<StageBackend> backends() {
            return List.of();
        }

        @Override
        public Optional<StageBackend> backend(String name) {
            return Optional.empty();
        }

        @Override
        public StageNginx nginx() {
            throw new UnsupportedOperationException("no nginx in the fake engine");
        }

        @Override
        public StageClient client() {
            return client;
        }

        @Override
        public Path caCertificatePem() {
            return plan.trust().orElseThrow().caCertificatePem();
        }

        @Override
        public Path confDir() {
            return plan.definition().nginx().confDir();
        }

        @Override
        public void assertIsolatedFrom(Stage other) {
            StageInternals.of(other);
        }

        @Override
        public void healFaults() {
            EVENTS.add("heal " + name());
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            EVENTS.add("close " + name());
            try {
                echo.close();
            } catch (IOException e) {
                // closing anyway
            }
            if (fixedStatus != null) {
                fixedStatus.stop(0);
            }
            afterClose.forEach(Runnable::run);
        }
    }
}
