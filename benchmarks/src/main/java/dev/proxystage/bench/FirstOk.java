package dev.proxystage.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

/**
 * "Up to the first 200": GET http://vw.example.com/ and follow conf.d's own redirects (the example conf.d sends
 * port 80 to https) until a 200, at most three hops. Every case ends with this, whatever client it has.
 */
final class FirstOk {

    static final String START = "http://vw.example.com/";

    /** A status and the Location header (or null). */
    record Answer(int status, String location) {
    }

    private FirstOk() {
    }

    /** Follows redirects from {@link #START}; returns the URL that answered 200. */
    static String follow(Function<String, Answer> get) {
        String url = START;
        for (int hop = 0; hop <= 3; hop++) {
            Answer answer = get.apply(url);
            if (answer.status() == 200) {
                return url;
            }
            if (answer.status() / 100 != 3 || answer.location() == null) {
                throw new IllegalStateException("GET " + url + " through nginx answered " + answer.status());
            }
            url = HttpUrl.get(url).resolve(answer.location()).toString();
        }
        throw new IllegalStateException("more than 3 redirects from " + START);
    }

    /** A client that trusts {@code ca}, resolves every name to 127.0.0.1 and follows no redirect itself. */
    static OkHttpClient client(X509Certificate ca) {
        HandshakeCertificates trust = new HandshakeCertificates.Builder().addTrustedCertificate(ca).build();
        return new OkHttpClient.Builder()
                .dns(host -> List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})))
                .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                .followRedirects(false).followSslRedirects(false)
                .build();
    }

    /** {@link #follow} with {@code http}, each port of a URL sent where nginx publishes it, as curl --connect-to. */
    static void followPublished(OkHttpClient http, Map<Integer, Integer> published) {
        follow(url -> {
            HttpUrl u = HttpUrl.get(url);
            HttpUrl direct = u.newBuilder().port(published.getOrDefault(u.port(), u.port())).build();
            try {
                return answer(http.newCall(new Request.Builder().url(direct).build()).execute());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Answer answer(Response response) {
        try (response) {
            response.body().string();
            return new Answer(response.code(), response.header("Location"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
