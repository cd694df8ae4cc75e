package dev.proxystage.internal.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.LogMark;
import dev.proxystage.NginxErrorLog;
import dev.proxystage.RoutingTrace;
import dev.proxystage.RoutingTraces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;

/**
 * Everything a stage's containers log, as it is written, numbered so tests can ask for "what came since". nginx's
 * trace lines (see {@link #TRACE_CONF}) are indexed by request id and turned into {@link RoutingTrace}s: the
 * upstream address nginx used is mapped back to the backend container that has it on the stage network.
 */
final class StageLogs implements RoutingTraces, AutoCloseable {

    /** Header the stage client tags every request with. */
    static final String REQUEST_ID_HEADER = "X-ProxyStage-Request";
    static final String TRACE_PREFIX = "proxystage-trace ";
    static final String TRACE_CONF_PATH = "/etc/proxystage/nginx/trace.conf";

    /**
     * An extra access log in nginx's http context (a file of ProxyStage's, included from the main nginx.conf; the
     * user's conf.d is not touched). Servers that declare their own access_log do not inherit it.
     */
    static final String TRACE_CONF = "# Written by ProxyStage: one JSON line per request, for routing traces.\n"
            + "log_format proxystage_trace escape=json '" + TRACE_PREFIX
            + "{\"id\":\"$http_x_proxystage_request\",\"server\":\"$server_name\",\"status\":\"$status\","
            + "\"upstream\":\"$upstream_addr\",\"request_time\":\"$request_time\"}';\n"
            // Only the stage client's tagged requests: other traffic through the stage pays nothing.
            + "access_log /dev/stdout proxystage_trace if=$http_x_proxystage_request;\n";

    private static final int MAX_LINES = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A log line: its number, the container that wrote it, and whether it came on stderr. */
    record Line(long sequence, String container, boolean stderr, String text) {

        @Override
        public String toString() {
            return "[" + container + "] " + text;
        }
    }

    /** A request the client sent: by which thread, and when in the log's numbering. */
    record Sent(String requestId, String method, String url, String thread, long sequence) {
    }

    private record Backend(String name, String alias) {
    }

    private final String stage;
    private final AtomicLong sequence = new AtomicLong();
    private final Deque<Line> lines = new ArrayDeque<>();
    private final Map<String, JsonNode> traces = new ConcurrentHashMap<>();
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final Map<String, Backend> backendsByAddress = new ConcurrentHashMap<>();
    private final List<AutoCloseable> followers = new CopyOnWriteArrayList<>();
    private final ThreadLocal<LogMark> testStart = new ThreadLocal<>();
    private volatile String nginxContainer = "";

    StageLogs(String stage) {
        this.stage = stage;
    }

    /** Records the backend's address on the stage network, so traces can name it. */
    void backendAddress(String ipAddress, String name, String alias) {
        backendsByAddress.put(ipAddress, new Backend(name, alias));
    }

    /** The address of backend {@code name} on the stage network. */
    Optional<String> addressOf(String name) {
        return backendsByAddress.entrySet().stream().filter(e -> e.getValue().name().equals(name))
                .map(Map.Entry::getKey).findFirst();
    }

    /** Follows a container's output from its first line on. */
    void follow(GenericContainer<?> container, String name, boolean nginx) {
        if (nginx) {
            nginxContainer = name;
        }
        followers.add(followLines(container, (stderr, text) -> line(name, stderr, nginx, text)));
    }

    /** Receives a container's output line by line, told whether each line came on stderr. */
    interface LineSink {
        void accept(boolean stderr, String line);
    }

    /**
     * Follows {@code container}'s output from its first line on, split into lines per stream, until the returned
     * handle is closed or the container stops.
     */
    static AutoCloseable followLines(GenericContainer<?> container, LineSink sink) {
        return followLines(container.getDockerClient(), container.getContainerId(), false, sink);
    }

    /** As above, by container id; with {@code fromNow}, only lines written from now on (an attached stage). */
    static AutoCloseable followLines(com.github.dockerjava.api.DockerClient docker, String containerId, boolean fromNow, LineSink sink) {
        FrameConsumerResultCallback callback = new FrameConsumerResultCallback();
        callback.addConsumer(OutputFrame.OutputType.STDOUT, new LineSplitter(false, sink));
        callback.addConsumer(OutputFrame.OutputType.STDERR, new LineSplitter(true, sink));
        var command = docker.logContainerCmd(containerId).withFollowStream(true).withStdOut(true).withStdErr(true);
        (fromNow ? command.withTail(0) : command).exec(callback);
        return callback;
    }

    /** Follows a running container of an attached stage from now on. */
    void followFromNow(com.github.dockerjava.api.DockerClient docker, String containerId, String name, boolean nginx) {
        if (nginx) {
            nginxContainer = name;
        }
        followers.add(followLines(docker, containerId, true, (stderr, text) -> line(name, stderr, nginx, text)));
    }

    private static final class LineSplitter implements java.util.function.Consumer<OutputFrame> {

        private final boolean stderr;
        private final LineSink sink;
        private final StringBuilder partial = new StringBuilder();

        LineSplitter(boolean stderr, LineSink sink) {
            this.stderr = stderr;
            this.sink = sink;
        }

        @Override
        public synchronized void accept(OutputFrame frame) {
            if (frame.getType() == OutputFrame.OutputType.END || frame.getBytes() == null) {
                return;
            }
            partial.append(new String(frame.getBytes(), StandardCharsets.UTF_8));
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                String text = partial.substring(0, newline);
                partial.delete(0, newline + 1);
                sink.accept(stderr, text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
            }
        }
    }

    private void line(String container, boolean stderr, boolean nginx, String text) {
        lastLine = System.nanoTime();
        if (nginx && !stderr && text.startsWith(TRACE_PREFIX)) {
            try {
                JsonNode trace = JSON.readTree(text.substring(TRACE_PREFIX.length()));
                String id = trace.path("id").asText("");
                if (!id.isEmpty() && !id.equals("-")) {
                    traces.put(id, trace);
                    synchronized (traces) {
                        traces.notifyAll();
                    }
                }
            } catch (IOException malformed) {
                // not one of ours after all; keep it as an ordinary line
                append(container, stderr, text);
            }
            return;
        }
        append(container, stderr, text);
    }

    /** Values that must never be shown (secrets from {@code ${env:NAME}}); they print as ****. */
    private final List<String> secrets = new CopyOnWriteArrayList<>();

    void mask(List<String> values) {
        secrets.addAll(values);
    }

    String masked(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, dev.proxystage.internal.config.BackendSpec.MASK);
        }
        return result;
    }

    private void append(String container, boolean stderr, String raw) {
        String text = masked(raw);
        synchronized (lines) {
            lines.addLast(new Line(sequence.incrementAndGet(), container, stderr, text));
            if (lines.size() > MAX_LINES) {
                lines.removeFirst();
            }
        }
    }

    LogMark mark() {
        return new LogMark(sequence.get());
    }

    List<Line> since(LogMark mark) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.sequence() > mark.sequence()).toList();
        }
    }

    /** Marks the start of a test on the calling thread, for {@link NginxErrorLog#sinceTestStart()}. */
    LogMark testStarted() {
        LogMark mark = mark();
        testStart.set(mark);
        return mark;
    }

    void testFinished() {
        testStart.remove();
    }

    NginxErrorLog nginxErrorLog() {
        return new NginxErrorLog() {
            @Override
            public LogMark mark() {
                return StageLogs.this.mark();
            }

            @Override
            public List<String> since(LogMark mark) {
                awaitTraces(sent.values().stream().filter(s -> s.sequence() > mark.sequence()).toList());
                return StageLogs.this.since(mark).stream()
                        .filter(l -> l.stderr() && l.container().equals(nginxContainer))
                        .map(Line::text).toList();
            }

            @Override
            public List<String> sinceTestStart() {
                LogMark start = testStart.get();
                return since(start == null ? new LogMark(0) : start);
            }
        };
    }

    /**
     * Docker delivers a container's output a little after it is written, stdout and stderr each on its own path.
     * nginx writes a request's error lines before its access line; once the trace (access) lines of these requests
     * are in and the streams have been quiet for a moment, their error lines are in too.
     */
    private void awaitTraces(List<Sent> requests) {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        for (Sent request : requests) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || await(request.requestId(), Duration.ofNanos(left)).isEmpty()) {
                return;
            }
        }
        long quietUntil = System.nanoTime() + QUIET.toNanos() * 5;
        while (System.nanoTime() - lastLine < QUIET.toNanos() && System.nanoTime() < quietUntil) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final Duration QUIET = Duration.ofMillis(100);
    private volatile long lastLine = System.nanoTime();

    @Override
    public void sent(String requestId, String method, String url) {
        if (sent.size() > 100_000) {
            sent.clear();
            traces.clear();
        }
        sent.put(requestId, new Sent(requestId, method, url, Thread.currentThread().getName(), sequence.incrementAndGet()));
    }

    /** The requests sent from {@code thread} since {@code mark}, in order. */
    List<Sent> sentSince(LogMark mark, String thread) {
        return sent.values().stream()
                .filter(s -> s.sequence() > mark.sequence() && s.thread().equals(thread))
                .sorted(java.util.Comparator.comparingLong(Sent::sequence))
                .toList();
    }

    @Override
    public Optional<RoutingTrace> await(String requestId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode trace;
        synchronized (traces) {
            while ((trace = traces.get(requestId)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    traces.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
        Sent request = sent.get(requestId);
        String upstream = lastUpstream(trace.path("upstream").asText(""));
        Optional<Backend> backend = upstream.isEmpty() ? Optional.empty()
                : Optional.ofNullable(backendsByAddress.get(upstream.substring(0, Math.max(0, upstream.lastIndexOf(':')))));
        return Optional.of(new RoutingTrace(requestId,
                request == null ? "?" : request.method(), request == null ? "?" : request.url(),
                trace.path("server").asText(""), parseInt(trace.path("status").asText("0")),
                upstream.isEmpty() ? Optional.empty() : Optional.of(upstream),
                backend.map(Backend::name), backend.map(Backend::alias), backend.map(b -> stage),
                Duration.ofMillis(Math.round(parseDouble(trace.path("request_time").asText("0")) * 1000))));
    }

    /** {@code $upstream_addr} lists every attempt ("a:80, b:80" or "a:80 : b:80"); the last one answered. */
    private static String lastUpstream(String upstreamAddr) {
        String value = upstreamAddr.strip();
        if (value.isEmpty() || value.equals("-")) {
            return "";
        }
        String[] attempts = value.split("\\s*[,]\\s*|\\s+:\\s+");
        return attempts[attempts.length - 1].strip();
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double parseDouble(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * What a failing test's output gets: the routing traces of the requests its thread made, then every
     * container's lines, all since {@code mark}. Empty when nothing happened.
     */
    String diagnostics(LogMark mark, String thread) {
        List<String> report = new ArrayList<>();
        List<Sent> requests = sentSince(mark, thread);
        if (!requests.isEmpty()) {
            report.add("requests of this test, as nginx routed them:");
            for (Sent request : requests) {
                report.add("  " + await(request.requestId(), Duration.ofMillis(500)).map(RoutingTrace::toString)
                        .orElse(request.method() + " " + request.url() + " → no trace from nginx (a server with its own access_log, or no answer)"));
            }
        }
        List<Line> logged = since(mark);
        if (!logged.isEmpty()) {
            report.add("container logs since the test started:");
            logged.forEach(l -> report.add("  " + l));
        }
        return report.isEmpty() ? "" : "ProxyStage diagnostics for stage " + stage + "\n" + String.join("\n", report);
    }

    @Override
    public void close() {
        for (AutoCloseable follower : followers) {
            try {
                follower.close();
            } catch (Exception ignored) {
                // the container is going away anyway
            }
        }
    }
}
