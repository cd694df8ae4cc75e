package dev.proxystage;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import okhttp3.Handshake;
import okhttp3.Headers;
import org.assertj.core.api.AssertProvider;

/**
 * A response that came through a stage's nginx, fully read. {@code assertThat(response)} (AssertJ's or
 * {@link ProxyStageAssertions}') gives the proxy-aware assertions.
 */
public final class ProxyResponse implements AssertProvider<ProxyResponseAssert> {

    private final String stage;
    private final String method;
    private final String url;
    private final int status;
    private final Headers headers;
    private final String body;
    private final Handshake handshake;
    private final Duration elapsed;
    private volatile Optional<EchoReport> echo;
    private final Supplier<Optional<RoutingTrace>> traceLookup;
    private final Supplier<List<String>> errorLookup;
    private volatile Optional<RoutingTrace> trace;

    ProxyResponse(String stage, String method, String url, int status, Headers headers, String body,
                  Handshake handshake, Duration elapsed, Supplier<Optional<RoutingTrace>> traceLookup) {
        this(stage, method, url, status, headers, body, handshake, elapsed, traceLookup, List::of);
    }

    ProxyResponse(String stage, String method, String url, int status, Headers headers, String body,
                  Handshake handshake, Duration elapsed, Supplier<Optional<RoutingTrace>> traceLookup,
                  Supplier<List<String>> errorLookup) {
        this.traceLookup = traceLookup;
        this.errorLookup = errorLookup;
        this.stage = stage;
        this.method = method;
        this.url = url;
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.handshake = handshake;
        this.elapsed = elapsed;
    }

    /** The stage whose client sent the request. */
    public String stage() {
        return stage;
    }

    public String method() {
        return method;
    }

    /** The URL as the test wrote it (production host and port). */
    public String url() {
        return url;
    }

    public int status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    public String body() {
        return body;
    }

    /** The TLS handshake, for https URLs. */
    public Optional<Handshake> handshake() {
        return Optional.ofNullable(handshake);
    }

    /** The certificate nginx presented, for https URLs. */
    public Optional<X509Certificate> servedCertificate() {
        return handshake().flatMap(h -> h.peerCertificates().stream().findFirst())
                .map(X509Certificate.class::cast);
    }

    public Duration elapsed() {
        return elapsed;
    }

    /**
     * Where nginx sent the request: server block, upstream address, backend and stage. Works with any backend image.
     * Empty when the answering server block declares its own {@code access_log} (it then does not inherit
     * ProxyStage's trace log).
     */
    public Optional<RoutingTrace> trace() {
        Optional<RoutingTrace> known = trace;
        if (known == null || known.isEmpty()) {
            known = traceLookup.get();
            trace = known;
        }
        return known;
    }

    /**
     * What nginx's error log says about this request (lines that name its request line and host), such as
     * {@code upstream timed out (110: Connection timed out) while reading response header from upstream}. Read
     * from the engine when asked for.
     */
    public List<String> nginxErrors() {
        return errorLookup.get();
    }

    /** What the echo backend reported about the request it received, if an echo backend answered. */
    public Optional<EchoReport> echo() {
        // Parsed on first use: most responses are never asked about.
        Optional<EchoReport> parsed = echo;
        if (parsed == null) {
            parsed = EchoReport.parse(headers.get("Content-Type"), body);
            echo = parsed;
        }
        return parsed;
    }

    /** Why the echo backend refused the request, if an echo backend answered with a refusal (a 400). */
    public Optional<EchoReport.Refusal> echoRefusal() {
        return status >= 400 ? EchoReport.parseRefusal(headers.get("Content-Type"), body) : Optional.empty();
    }

    @Override
    public ProxyResponseAssert assertThat() {
        return new ProxyResponseAssert(this);
    }

    @Override
    public String toString() {
        String routed = echo().map(e -> " ← " + e.identity().alias() + "@" + e.identity().stage()).orElse("");
        return method + " " + url + " → " + status + routed + " (" + elapsed.toMillis() + " ms, stage " + stage + ")";
    }
}
