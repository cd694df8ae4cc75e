package dev.proxystage.internal.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.LogMark;
import dev.proxystage.RoutingTrace;
import dev.proxystage.RoutingTraces;
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

/**
 * nginx's trace records (see {@link TraceLog}) indexed by request id, and the requests the client sent. A waiter
 * waits on its own request's future only: no shared lock, no wake-up of every waiter per line.
 */
public final class TraceIndex implements RoutingTraces {

    /** A request the client sent: by which thread, and when (on the {@link LogClock}). */
    public record Sent(String requestId, String method, String url, String thread, long sequence) {
    }

    private static final int MAX_REQUESTS = 100_000;
    /** How long a waiter that got an inner hop's record waits on for the client's own (logged right after). */
    private static final Duration HOP_GRACE = Duration.ofSeconds(2);
    /** Made on the first trace line, not with the stage: a fresh JVM's first request need not wait for it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final String stage;
    private final BackendAddresses addresses;
    private final Map<String, CompletableFuture<JsonNode>> traces = new ConcurrentHashMap<>();
    /** Per request id, the record of the hop on the port the client sent to (see {@link #await}). */
    private final Map<String, CompletableFuture<JsonNode>> clientHops = new ConcurrentHashMap<>();
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();

    private volatile TraceListener listener = TraceListener.NONE;
    private volatile java.util.function.BiFunction<String, Integer, Optional<RoutingTrace.ServerSource>> serverSources =
            (name, port) -> Optional.empty();

    /** Where a trace's server block is written, by server name and port, so failures can name the file. */
    public void serverSources(java.util.function.BiFunction<String, Integer, Optional<RoutingTrace.ServerSource>> lookup) {
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
            Sent request = sent.get(id);
            if (request != null && fromClient(request, trace)) {
                clientHops.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(trace);
            }
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
            clientHops.clear();
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
        long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
        Optional<JsonNode> first = get(future(requestId), wait.toNanos());
        if (first.isEmpty()) {
            return Optional.empty();
        }
        JsonNode trace = first.get();
        Sent request = sent.get(requestId);
        if (request != null && !fromClient(request, trace)) {
            // A hop nginx made to one of its own listeners (an auth_request's proxy_pass to 127.0.0.1:65510, say)
            // carries the client's headers, id included, and ends first; the client's own request is logged when
            // it ends, on the port the client sent to. That one says where the request went.
            long grace = Math.min(deadline - System.nanoTime(), HOP_GRACE.toNanos());
            trace = get(clientHops.computeIfAbsent(requestId, k -> new CompletableFuture<>()), grace).orElse(trace);
        }
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

    private static Optional<JsonNode> get(CompletableFuture<JsonNode> future, long nanos) {
        try {
            return Optional.of(future.get(Math.max(0, nanos), TimeUnit.NANOSECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Whether a record is of the request the client sent: nginx's port in it is the one the client's URL names. */
    static boolean fromClient(Sent request, JsonNode trace) {
        int port = parseInt(trace.path("port").asText("0"));
        try {
            java.net.URI uri = java.net.URI.create(request.url());
            int sentTo = uri.getPort() >= 0 ? uri.getPort() : switch (String.valueOf(uri.getScheme()).toLowerCase(
                    java.util.Locale.ROOT)) {
                case "https", "wss" -> 443;
                default -> 80;
            };
            return port == 0 || port == sentTo;
        } catch (IllegalArgumentException unparsable) {
            return true;
        }
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
