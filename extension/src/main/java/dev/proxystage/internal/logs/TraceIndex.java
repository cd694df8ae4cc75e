package dev.proxystage.internal.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.LogMark;
import dev.proxystage.RoutingTrace;
import dev.proxystage.spi.RoutingTraces;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * nginx's trace records (see {@link TraceLog}) indexed by request id, and the requests the client sent. A waiter
 * waits on its own request's future only: no shared lock, no wake-up of every waiter per line.
 */
public final class TraceIndex implements RoutingTraces {

    /** A request the client sent: by which thread, and when (on the {@link LogClock}). */
    public record Sent(String requestId, String method, String url, String thread, long sequence) {
    }

    private static final int MAX_REQUESTS = 100_000;
    /** Made on the first trace line, not with the stage: a fresh JVM's first request need not wait for it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final String stage;
    private final BackendAddresses addresses;
    private final Map<String, CompletableFuture<JsonNode>> traces = new ConcurrentHashMap<>();
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();

    private volatile TraceListener listener = TraceListener.NONE;
    private volatile BiFunction<String, Integer, Optional<RoutingTrace.ServerSource>> serverSources =
            (name, port) -> Optional.empty();

    /** Where a trace's server block is written, by server name and port, so failures can name the file. */
    public void serverSources(BiFunction<String, Integer, Optional<RoutingTrace.ServerSource>> lookup) {
        serverSources = lookup;
    }

    /** Also tells {@code listener} of every request sent and every trace (the stage's coverage). */
    public void listener(TraceListener listener) {
        this.listener = listener;
    }

    public TraceIndex(String stage, BackendAddresses addresses) {
        this.stage = stage;
        this.addresses = addresses;
    }

    /**
     * Takes a trace record from {@code text} (a log line or a syslog datagram that contains one); false when the
     * text holds none, so the caller keeps it as an ordinary line.
     */
    public boolean accept(String text) {
        int at = text.indexOf(TraceLog.PREFIX);
        if (at < 0) {
            return false;
        }
        JsonNode trace;
        try {
            trace = Json.MAPPER.readTree(text.substring(at + TraceLog.PREFIX.length()).strip());
        } catch (IOException malformed) {
            return false;
        }
        if (trace == null || !trace.isObject()) {
            return false;
        }
        String id = trace.path("id").asText("");
        if (!id.isEmpty() && !id.equals("-")) {
            future(id).complete(trace);
            listener.traced(id, trace.path("server").asText(""), parseInt(trace.path("port").asText("0")));
        }
        return true;
    }

    @Override
    public void sent(String requestId, String method, String url) {
        sent(requestId, method, url, Map.of());
    }

    @Override
    public void sent(String requestId, String method, String url, Map<String, String> headers) {
        listener.sent(requestId, method, url, headers);
        if (sent.size() > MAX_REQUESTS) {
            sent.clear();
            traces.clear();
        }
        sent.put(requestId, new Sent(requestId, method, url, Thread.currentThread().getName(), LogClock.now()));
    }

    /** The requests sent from {@code thread} since {@code mark}, in order. */
    public List<Sent> sentSince(LogMark mark, String thread) {
        return sent.values().stream()
                .filter(s -> s.sequence() > mark.sequence() && (thread == null || s.thread().equals(thread)))
                .sorted(Comparator.comparingLong(Sent::sequence))
                .toList();
    }

    /** Waits until every request sent since {@code mark} has its trace, or {@code wait} is over; false then. */
    public boolean awaitAllSince(LogMark mark, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Sent request : sentSince(mark, null)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || await(request.requestId(), Duration.ofNanos(left)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<RoutingTrace> await(String requestId, Duration wait) {
        JsonNode trace;
        try {
            trace = future(requestId).get(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
        Sent request = sent.get(requestId);
        String upstream = lastUpstream(trace.path("upstream").asText(""));
        // "-" as the last attempt's header time: no upstream answered (nginx made the 502/504 itself).
        String headerTime = lastUpstream(trace.path("upstream_header_time").asText(""));
        int upstreamStatus = parseInt(lastUpstream(trace.path("upstream_status").asText("")));
        String serverName = trace.path("server").asText("");
        Optional<BackendAddresses.Backend> backend = upstream.isEmpty() ? Optional.empty() : addresses.at(upstream);
        return Optional.of(new RoutingTrace(requestId,
                request == null ? "?" : request.method(), request == null ? "?" : request.url(),
                serverName, parseInt(trace.path("status").asText("0")),
                upstream.isEmpty() ? Optional.empty() : Optional.of(upstream),
                backend.map(BackendAddresses.Backend::name), backend.map(BackendAddresses.Backend::alias),
                backend.map(b -> stage),
                Duration.ofMillis(Math.round(parseDouble(trace.path("request_time").asText("0")) * 1000)),
                upstream.isEmpty() || headerTime.isEmpty() || upstreamStatus == 0 ? Optional.empty() : Optional.of(upstreamStatus),
                serverSources.apply(serverName, parseInt(trace.path("port").asText("0")))));
    }

    private CompletableFuture<JsonNode> future(String requestId) {
        return traces.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    /** {@code $upstream_addr} (and the other upstream variables) list every attempt ("a:80, b:80" or "a:80 : b:80"); the last one answered. */
    static String lastUpstream(String upstreamAddr) {
        String value = upstreamAddr.strip();
        if (value.isEmpty() || value.equals("-")) {
            return "";
        }
        String[] attempts = value.split("\\s*[,]\\s*|\\s+:\\s+");
        String last = attempts[attempts.length - 1].strip();
        return last.equals("-") ? "" : last;
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
}
