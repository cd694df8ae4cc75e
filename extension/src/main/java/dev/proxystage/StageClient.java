package dev.proxystage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

/**
 * An HTTP client for one stage that behaves like curl's {@code --connect-to}: URLs stay exactly as in production
 * ({@code http://vw.example.com/}), every host name resolves to the stage's nginx, and each port is mapped to the
 * port Docker published for it. So the Host header (and, over TLS, SNI) is exactly what production sees, with no
 * port suffix. Redirects are never followed, so tests see them.
 */
public final class StageClient {

    /** The header every request is tagged with, so nginx's trace of it can be found. */
    public static final String REQUEST_ID_HEADER = "X-ProxyStage-Request";

    /**
     * Where a client reports what it sent and asks where it went: the stage's side of request tracing, which the
     * runtime implements (the API defines it, so the API never names the runtime's types). Users read
     * {@link ProxyResponse#trace()} instead.
     */
    public interface Traces {

        /** The client is about to send a request tagged with {@code requestId}. */
        void sent(String requestId, String method, String url);

        /** As {@link #sent(String, String, String)}, with the headers the test set (name to value, several joined by ", "). */
        default void sent(String requestId, String method, String url, Map<String, String> headers) {
            sent(requestId, method, url);
        }

        /** nginx answered the request tagged with {@code requestId} with {@code status}. */
        default void answered(String requestId, int status) {
        }

        /** Where the request went, waiting up to {@code wait} for nginx's record of it. */
        Optional<RoutingTrace> await(String requestId, Duration wait);

        /**
         * The lines nginx's error log has about the request (its request line and host), from when it was sent; empty
         * where the stage cannot tell.
         */
        default List<String> errorLines(String requestId) {
            return List.of();
        }

        /** No tracing: every lookup is empty. */
        Traces NONE = new Traces() {
            @Override
            public void sent(String requestId, String method, String url) {
            }

            @Override
            public Optional<RoutingTrace> await(String requestId, Duration wait) {
                return Optional.empty();
            }
        };
    }

    private final String stage;
    private final OkHttpClient http;
    private final Traces traces;

    private StageClient(String stage, OkHttpClient http, Traces traces) {
        this.stage = stage;
        this.http = http;
        this.traces = traces;
    }

    /**
     * A client for the nginx of {@code stage}, reachable on {@code host}, whose container ports are published as
     * {@code ports} (container port to host port). Requests are tagged and reported to {@code traces}.
     */
    public static StageClient connectTo(String stage, String host, Map<Integer, Integer> ports, Traces traces) {
        return connect(stage, host, ports, traces, Optional.empty());
    }

    /**
     * As {@link #connectTo(String, String, Map, Traces)}, trusting {@code trust} (the stage's test CA and any
     * extra certificates) instead of the JVM's default trust store, which is then never loaded.
     */
    public static StageClient connectTo(String stage, String host, Map<Integer, Integer> ports, Traces traces,
                                        HandshakeCertificates trust) {
        return connect(stage, host, ports, traces, Optional.of(trust));
    }

    private static StageClient connect(String stage, String host, Map<Integer, Integer> ports, Traces traces,
                                       Optional<HandshakeCertificates> trust) {
        OkHttpClient.Builder builder = baseBuilder(stage, host, ports);
        trust.ifPresent(t -> builder.sslSocketFactory(t.sslSocketFactory(), t.trustManager()));
        OkHttpClient http = builder
                .addInterceptor(chain -> {
                    Request request = chain.request();
                    if (request.header(REQUEST_ID_HEADER) == null) {
                        request = request.newBuilder().header(REQUEST_ID_HEADER, UUID.randomUUID().toString()).build();
                    }
                    String requestId = request.header(REQUEST_ID_HEADER);
                    traces.sent(requestId, request.method(), request.url().toString(), headersOf(request));
                    Response response = chain.proceed(request);
                    traces.answered(requestId, response.code());
                    return response;
                })
                .build();
        return new StageClient(stage, http, traces);
    }

    /** The headers the test set on {@code request}, for the stage's coverage (which reads {@code if ($http_...)}). */
    private static Map<String, String> headersOf(Request request) {
        if (request.headers().size() <= 1) {
            return Map.of();
        }
        Map<String, String> headers = new HashMap<>();
        for (String name : request.headers().names()) {
            if (!name.equalsIgnoreCase(REQUEST_ID_HEADER)) {
                headers.put(name, String.join(", ", request.headers(name)));
            }
        }
        return headers;
    }

    /** The same client with extra OkHttp configuration (e.g. TLS trust); the routing stays as it is. */
    public StageClient customize(UnaryOperator<OkHttpClient.Builder> customizer) {
        return new StageClient(stage, customizer.apply(http.newBuilder()).build(), traces);
    }

    private static OkHttpClient.Builder baseBuilder(String stage, String host, Map<Integer, Integer> ports) {
        Map<Integer, Integer> portMap = Map.copyOf(ports);
        InetAddress target;
        try {
            target = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ProxyStageException("cannot resolve the Docker host '" + host + "'");
        }
        byte[] address = target.getAddress();
        return new OkHttpClient.Builder()
                .dns(hostname -> List.of(InetAddress.getByAddress(hostname, address)))
                .socketFactory(new RemappingSocketFactory(stage, portMap))
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(30));
    }

    /** The stage this client talks to. */
    public String stage() {
        return stage;
    }

    /** The underlying OkHttp client, with the same routing; use it for anything this class has no shortcut for. */
    public OkHttpClient okHttp() {
        return http;
    }

    /**
     * Opens a WebSocket to {@code url} ({@code wss://vw.example.com/notifications/hub}) through the stage's nginx.
     */
    public StageWebSocket openWebSocket(String url) {
        return new StageWebSocket(http, new Request.Builder().url(url).build());
    }

    /** nginx writes its trace after the response; this is how long a lookup waits for it. */
    private static final Duration TRACE_WAIT = Duration.ofSeconds(3);

    /** {@code GET url}, read completely. */
    public ProxyResponse get(String url) {
        return send(new Request.Builder().url(url).build());
    }

    /** Sends {@code request} through the stage's nginx and reads the whole response. */
    public ProxyResponse send(Request request) {
        long started = System.nanoTime();
        try (Response response = http.newCall(request).execute()) {
            String body = response.body().string();
            String requestId = response.request().header(REQUEST_ID_HEADER);
            return new ProxyResponse(stage, request.method(), request.url().toString(), response.code(),
                    response.headers(), body, response.handshake(), Duration.ofNanos(System.nanoTime() - started),
                    () -> requestId == null ? Optional.empty() : traces.await(requestId, TRACE_WAIT),
                    () -> requestId == null ? List.of() : traces.errorLines(requestId));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.url() + " through stage '" + stage
                    + "' failed: " + reason(e).getMessage(), e);
        }
    }

    /** OkHttp wraps connect failures in its own "Failed to connect"; the remapper's refusal says more. */
    private static IOException reason(IOException e) {
        Deque<Throwable> pending = new ArrayDeque<>(List.of(e));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!pending.isEmpty()) {
            Throwable t = pending.pop();
            if (t instanceof UnmappedPortException unmapped) {
                return unmapped;
            }
            if (seen.add(t)) {
                if (t.getCause() != null) {
                    pending.push(t.getCause());
                }
                List.of(t.getSuppressed()).forEach(pending::push);
            }
        }
        return e;
    }

    /** A port the stage's nginx does not listen on. */
    private static final class UnmappedPortException extends ConnectException {
        UnmappedPortException(String message) {
            super(message);
        }
    }

    /** Connects every socket to the published port of the port the URL asked for. */
    private static final class RemappingSocketFactory extends SocketFactory {

        private final String stage;
        private final Map<Integer, Integer> ports;

        RemappingSocketFactory(String stage, Map<Integer, Integer> ports) {
            this.stage = stage;
            this.ports = ports;
        }

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public void connect(SocketAddress endpoint, int timeout) throws IOException {
                    super.connect(remap(endpoint), timeout);
                }
            };
        }

        private SocketAddress remap(SocketAddress endpoint) throws UnmappedPortException {
            if (!(endpoint instanceof InetSocketAddress inet)) {
                return endpoint;
            }
            Integer mapped = ports.get(inet.getPort());
            if (mapped == null) {
                throw new UnmappedPortException("nginx of stage '" + stage + "' does not listen on port " + inet.getPort()
                        + " (its conf.d listens on " + new TreeMap<>(ports).keySet().stream().map(String::valueOf)
                        .collect(Collectors.joining(", ")) + ")");
            }
            return new InetSocketAddress(inet.getAddress(), mapped);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket socket = createSocket();
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return createSocket(address, port);
        }
    }
}
