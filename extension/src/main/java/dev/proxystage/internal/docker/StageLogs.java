package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.LogMark;
import dev.proxystage.NginxErrorLog;
import dev.proxystage.RoutingTrace;
import dev.proxystage.StageClient;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.internal.logs.BackendAddresses;
import dev.proxystage.internal.logs.Diagnostics;
import dev.proxystage.internal.logs.LogClock;
import dev.proxystage.internal.logs.LogLine;
import dev.proxystage.internal.logs.SecretMask;
import dev.proxystage.internal.logs.TestMarks;
import dev.proxystage.internal.logs.TraceIndex;
import dev.proxystage.internal.logs.TraceLog;
import dev.proxystage.internal.logs.TraceReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;

/**
 * A stage's logs, wired to its containers: traces come over the direct path ({@link TraceReceiver}) when the
 * engine is on this machine, else from nginx's log stream (the one stream the stage keeps); container lines are
 * fetched when asked for. The work itself is in {@code internal.logs}.
 */
final class StageLogs implements StageClient.Traces, AutoCloseable {

    private static final int MAX_LINES = 20_000;

    private final String stage;
    private final SecretMask mask = new SecretMask();
    private final BackendAddresses addresses = new BackendAddresses();
    private final TraceIndex traces;
    private final TestMarks marks = new TestMarks();
    private final Map<String, ContainerLogs.Ref> containers = new ConcurrentHashMap<>();
    private volatile ContainerLogs.Ref nginx;
    private volatile String nginxName = "";
    private volatile TraceReceiver receiver;
    private volatile AutoCloseable nginxStream;
    /** Runs before traces or nginx's error log are read: an attached stage waits there until its logs are wired. */
    private volatile Runnable wired = () -> { };

    StageLogs(String stage) {
        this.stage = stage;
        this.traces = new TraceIndex(stage, addresses);
    }

    /** {@code awaitWired} runs before traces or nginx's error log are read, and fails when they cannot be. */
    void readAfter(Runnable awaitWired) {
        this.wired = awaitWired;
    }

    void mask(List<String> values) {
        mask.add(values);
    }

    String masked(String text) {
        return mask.masked(text);
    }

    /** The conf.d's server blocks, so traces can say where the answering one is written. */
    void serverSources(ServerSources sources) {
        traces.serverSources(sources::find);
    }

    void backendAddress(String ipAddress, String name, String alias) {
        addresses.put(ipAddress, name, alias);
    }

    Optional<String> addressOf(String name) {
        return addresses.addressOf(name);
    }

    /**
     * nginx's trace config for a stage network with {@code gateway}: the direct path when this machine has that
     * address, else nginx's stdout.
     */
    String traceConf(String gateway) {
        return traceConf(gateway, true);
    }

    /** As above; without {@code direct}, always nginx's stdout, which any JVM can follow (a stage others attach to). */
    String traceConf(String gateway, boolean direct) {
        receiver = gateway == null || !direct ? null : TraceReceiver.open(gateway, traces, stage).orElse(null);
        return TraceLog.conf(Optional.ofNullable(receiver).map(TraceReceiver::address));
    }

    /** Whether traces come over the direct path. */
    boolean direct() {
        return receiver != null;
    }

    void container(ContainerLogs.Ref container, String name) {
        containers.put(name, container);
    }

    void nginx(ContainerLogs.Ref container, String name) {
        nginx(container, name, false);
    }

    /** A container of a stage this JVM attached to: its lines from now on are this JVM's. */
    void followFromNow(DockerClient docker, String containerId, String name, boolean isNginx) {
        ContainerLogs.Ref ref = new ContainerLogs.Ref(docker, containerId);
        if (isNginx) {
            nginx(ref, name, true);
        } else {
            containers.put(name, ref);
        }
    }

    /**
     * nginx of a stage this JVM attached to some time ago: its lines from the second {@code sinceEpochSecond} on
     * (a trace of a little earlier only fills the index; requests are matched by id).
     */
    void followSince(DockerClient docker, String containerId, String name, long sinceEpochSecond) {
        nginx(new ContainerLogs.Ref(docker, containerId), name, OptionalLong.of(sinceEpochSecond));
    }

    private void nginx(ContainerLogs.Ref container, String name, boolean fromNow) {
        nginx(container, name, fromNow ? OptionalLong.of(ContainerLogs.NOW) : OptionalLong.empty());
    }

    private void nginx(ContainerLogs.Ref container, String name, OptionalLong since) {
        containers.put(name, container);
        nginx = container;
        nginxName = name;
        if (receiver == null) {
            nginxStream = ContainerLogs.follow(container, since, (stderr, text) -> {
                if (!stderr) {
                    traces.accept(text);
                }
            });
        }
    }

    /** Follows a container by id from now on, each line to {@code sink}. */
    static AutoCloseable followLines(DockerClient docker, String containerId, boolean fromNow,
                                     ContainerLogs.LineSink sink) {
        return ContainerLogs.follow(new ContainerLogs.Ref(docker, containerId), fromNow, sink);
    }

    @Override
    public void sent(String requestId, String method, String url) {
        traces.sent(requestId, method, url);
    }

    @Override
    public void sent(String requestId, String method, String url, Map<String, String> headers) {
        traces.sent(requestId, method, url, headers);
    }

    @Override
    public void answered(String requestId, int status) {
        traces.answered(requestId, status);
    }

    /** Counts the client's requests into {@code coverage}, by nginx's traces where they come. */
    void coverage(StageCoverage coverage) {
        traces.listener(coverage);
    }

    @Override
    public Optional<RoutingTrace> await(String requestId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        wired.run();
        return traces.await(requestId, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /**
     * nginx's error-log lines about request {@code requestId}: from when it was sent, those naming its request line
     * and host (nginx adds both to every line it logs while serving a request).
     */
    @Override
    public List<String> errorLines(String requestId) {
        wired.run();
        Optional<TraceIndex.Sent> sent = traces.sent(requestId);
        ContainerLogs.Ref container = nginx;
        HttpUrl url = sent.map(s -> HttpUrl.parse(s.url().replaceFirst("^(?i)ws", "http"))).orElse(null);
        if (sent.isEmpty() || container == null || url == null) {
            return List.of();
        }
        // A request's error lines are written before its access line: once its trace is in, they are there.
        traces.await(requestId, Duration.ofSeconds(2));
        settle(new LogMark(sent.get().sequence() - 1));
        String target = url.encodedPath() + (url.encodedQuery() == null ? "" : "?" + url.encodedQuery());
        String request = "request: \"" + sent.get().method() + " " + target + " ";
        String host = "host: \"" + url.host();
        return ContainerLogs.since(container, nginxName, sent.get().sequence() - 1, true).stream()
                .map(LogLine::text).filter(line -> line.contains(request) && line.contains(host))
                .map(mask::masked).toList();
    }

    LogMark mark() {
        return new LogMark(LogClock.now());
    }

    LogMark testStarted() {
        return marks.started();
    }

    void testFinished() {
        marks.finished();
    }

    NginxErrorLog nginxErrorLog() {
        return new NginxErrorLog() {
            @Override
            public LogMark mark() {
                return StageLogs.this.mark();
            }

            @Override
            public List<String> since(LogMark mark) {
                wired.run();
                ContainerLogs.Ref container = nginx;
                if (container == null) {
                    return List.of();
                }
                settle(mark);
                return ContainerLogs.since(container, nginxName, mark.sequence(), true).stream()
                        .map(l -> mask.masked(l.text())).toList();
            }

            @Override
            public List<String> sinceTestStart() {
                return since(marks.current());
            }
        };
    }

    /**
     * nginx writes a request's error lines before its access line, so once the traces of the requests since
     * {@code mark} are in, their error lines have been written; the engine's log copier needs a moment more.
     */
    private void settle(LogMark mark) {
        if (traces.sentSince(mark, null).isEmpty()) {
            return;
        }
        traces.awaitAllSince(mark, Duration.ofSeconds(2));
        try {
            Thread.sleep(15);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every container's lines since {@code mark}, masked, oldest first, at most the last {@value #MAX_LINES}. */
    List<LogLine> since(LogMark mark) {
        settle(mark);
        List<LogLine> lines = new ArrayList<>();
        containers.entrySet().parallelStream()
                .map(e -> ContainerLogs.since(e.getValue(), e.getKey(), mark.sequence(), false))
                .forEachOrdered(lines::addAll);
        List<LogLine> sorted = lines.stream().sorted(Comparator.comparingLong(LogLine::sequence))
                .map(l -> new LogLine(l.sequence(), l.container(), l.stderr(), mask.masked(l.text())))
                .toList();
        return sorted.size() > MAX_LINES ? sorted.subList(sorted.size() - MAX_LINES, sorted.size()) : sorted;
    }

    /** A failing test's report: the traces of its thread's requests and the container lines since {@code mark}. */
    String diagnostics(LogMark mark, String thread) {
        List<TraceIndex.Sent> requests = traces.sentSince(mark, thread);
        return Diagnostics.report(stage, requests, r -> traces.await(r.requestId(), Duration.ofMillis(500)), since(mark));
    }

    @Override
    public void close() {
        if (receiver != null) {
            receiver.close();
        }
        if (nginxStream != null) {
            try {
                nginxStream.close();
            } catch (Exception ignored) {
                // the container is going away anyway
            }
        }
    }
}
