package dev.proxystage.internal.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.LogMark;
import dev.proxystage.RoutingTrace;
import dev.proxystage.StageClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
public final class TraceIndex implements StageClient.Traces {

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
    /**
     * Requests answered 414. nginx makes that answer while reading the request line, before any header, so its record
     * carries no request id and never comes under theirs (a backend's 414 has one; it is only not waited for).
     */
    private final Set<String> idless = ConcurrentHashMap.newKeySet();

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

    /**
     * Reads one trace-shaped record: a fresh JVM loads the JSON mapper's classes here, off the first request's path
     * (see the runtime's client warm-up). Returns whether it read.
     */
    public static boolean warmUp() {
        try {
            return Json.MAPPER.readTree("{\"id\":\"-\",\"server\":\"warm-up\",\"port\":\"80\",\"status\":\"204\"}")
                    .isObject();
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
            idless.clear();
            traces.clear();
            clientHops.clear();
        }
        sent.put(requestId, new Sent(requestId, method, url, Thread.currentThread().getName(), LogClock.now()));
    }

    /** The request the client sent with {@code requestId}, if this index knows it. */
    public Optional<Sent> sent(String requestId) {
        return Optional.ofNullable(sent.get(requestId));
    }

    /** The requests sent from {@code thread} since {@code mark}, in order. */
    public List<Sent> sentSince(LogMark mark, String thread) {
        return sent.values().stream()
                .filter(s -> s.sequence() > mark.sequence() && (thread == null || s.thread().equals(thread)))
                .sorted(Comparator.comparingLong(Sent::sequence))
                .toList();
    }

    @Override
    public void answered(String requestId, int status) {
        if (status == 414 && requestId != null) {
            idless.add(requestId);
        }
    }

    /**
     * Waits until every request sent since {@code mark} has its trace, or {@code wait} is over; false then. Requests
     * whose record cannot carry their id (see {@link #answered}) are not waited for.
     */
    public boolean awaitAllSince(LogMark mark, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Sent request : sentSince(mark, null)) {
            if (idless.contains(request.requestId())) {
                continue;
            }
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
                serverSources.apply(serverName, parseInt(trace.path("port").asText("0"))), attempts(trace)));
    }

    /** Every upstream the trace lists, each with its own status and timings (nginx lists them in the same order). */
    private List<RoutingTrace.Attempt> attempts(JsonNode trace) {
        List<String> upstreams = each(trace.path("upstream").asText(""));
        List<String> statuses = each(trace.path("upstream_status").asText(""));
        List<String> connects = each(trace.path("upstream_connect_time").asText(""));
        List<String> headers = each(trace.path("upstream_header_time").asText(""));
        List<String> responses = each(trace.path("upstream_response_time").asText(""));
        List<RoutingTrace.Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < upstreams.size(); i++) {
            String address = upstreams.get(i);
            if (address.equals("-") || address.isEmpty()) {
                continue;
            }
            Optional<Duration> header = seconds(at(headers, i));
            int status = parseInt(at(statuses, i));
            attempts.add(new RoutingTrace.Attempt(address, addresses.at(address).map(BackendAddresses.Backend::alias),
                    header.isEmpty() || status == 0 ? Optional.empty() : Optional.of(status),
                    seconds(at(connects, i)), header, seconds(at(responses, i))));
        }
        return attempts;
    }

    /** The values of an {@code $upstream_*} variable, one per attempt: "a, b" within a group, "a : b" across groups. */
    static List<String> each(String value) {
        String text = value.strip();
        if (text.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(text.split("\\s*,\\s*|\\s+:\\s+")).map(String::strip).toList();
    }

    private static String at(List<String> values, int index) {
        return index < values.size() ? values.get(index) : "";
    }

    private static Optional<Duration> seconds(String text) {
        if (text.isEmpty() || text.equals("-")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofNanos(Math.round(Double.parseDouble(text) * 1_000_000_000L)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
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
            URI uri = URI.create(request.url());
            int sentTo = uri.getPort() >= 0 ? uri.getPort() : switch (String.valueOf(uri.getScheme()).toLowerCase(
                    Locale.ROOT)) {
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
