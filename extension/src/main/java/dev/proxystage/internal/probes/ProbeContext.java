package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Probe;

import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import dev.proxystage.internal.engine.StageInternals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;

/**
 * What a probe works with: the stage, its configuration view, a client for probe requests, and a bounded budget of
 * requests per probe.
 *
 * <p>Probe requests go through the stage client's routing (every host to the stage's nginx on the published host, every port to
 * its published port), over HTTP/1.1, with short timeouts. They do not verify certificates or host names: the probes
 * examine how nginx behaves, and a request for an unknown name must reach the default server's certificate too.
 */
final class ProbeContext {

    /** At most this many requests or handshakes per probe; probes note what they left out. */
    static final int MAX_CHECKS_PER_PROBE = 200;
    /** At most this many location paths per server block and port. */
    static final int MAX_PATHS_PER_TARGET = 8;

    static final String USER_AGENT = "ProxyStage-hardening-probe";

    private final Stage stage;
    private final ConfigView view;
    private final StageClient client;
    private final OkHttpClient raw;
    private final Map<Probe, Integer> checks = new EnumMap<>(Probe.class);
    private final List<String> notes = new ArrayList<>();
    private Probe current;

    ProbeContext(Stage stage) {
        this.stage = stage;
        StageInternals internals = StageInternals.of(stage);
        this.view = new ConfigView(internals.nginxConfig(), internals.definition().tls().testNames());
        X509TrustManager trustAll = trustAll();
        this.client = stage.client().customize(b -> b
                .sslSocketFactory(sslContext(trustAll).getSocketFactory(), trustAll)
                .hostnameVerifier((host, session) -> true)
                .protocols(List.of(Protocol.HTTP_1_1))
                .connectTimeout(Duration.ofSeconds(3))
                .readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(15)));
        this.raw = client.okHttp();
        notes.addAll(view.notes());
    }

    Stage stage() {
        return stage;
    }

    ConfigView view() {
        return view;
    }

    void begin(Probe probe) {
        current = probe;
        checks.putIfAbsent(probe, 0);
    }

    Map<Probe, Integer> checks() {
        return checks;
    }

    List<String> notes() {
        return notes;
    }

    void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    /** Counts a configuration-only check. */
    void countStaticCheck() {
        checks.merge(current, 1, Integer::sum);
    }

    /** Whether the current probe may send another request; notes it once when the budget is spent. */
    boolean budgetLeft() {
        if (checks.getOrDefault(current, 0) < MAX_CHECKS_PER_PROBE) {
            return true;
        }
        note(current.id() + " stopped after " + MAX_CHECKS_PER_PROBE + " checks; the rest of the configuration was not probed");
        return false;
    }

    Exchange get(String url) {
        return send("GET", url, Optional.empty());
    }

    /**
     * Sends {@code method url} (with {@code hostHeader} instead of the URL's host if given) and reads the answer.
     * The URL must already be percent-encoded as it should go on the wire.
     */
    Exchange send(String method, String url, Optional<String> hostHeader) {
        checks.merge(current, 1, Integer::sum);
        String described = method + " " + abbreviate(url) + hostHeader.map(h -> " with Host: " + h).orElse("");
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            return new Exchange(described, Optional.empty(), Optional.of("not a valid URL"));
        }
        Request.Builder request = new Request.Builder().url(parsed).method(method, null).header("User-Agent", USER_AGENT);
        hostHeader.ifPresent(h -> request.header("Host", h));
        try {
            return new Exchange(described, Optional.of(client.send(request.build())), Optional.empty());
        } catch (UncheckedIOException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Exchange(described, Optional.empty(), Optional.of(cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
        }
    }

    /** A plain TCP connection to the stage's nginx on container port {@code port}, routed like the client's. */
    Socket connect(String host, int port, Duration timeout) throws IOException {
        checks.merge(current, 1, Integer::sum);
        InetAddress address;
        try {
            address = raw.dns().lookup(host).get(0);
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve " + host, e);
        }
        Socket socket = raw.socketFactory().createSocket();
        try {
            socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static String abbreviate(String url) {
        return url.length() <= 160 ? url : url.substring(0, 100) + "…(" + url.length() + " characters)";
    }

    private static X509TrustManager trustAll() {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // the probes never act as a TLS server
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // deliberately accepts any certificate: the probes examine nginx's behaviour, not its certificates
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    private static SSLContext sslContext(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the probes' TLS context", e);
        }
    }
}
