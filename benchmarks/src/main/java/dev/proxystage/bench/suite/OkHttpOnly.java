package dev.proxystage.bench.suite;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The floor under any OkHttp-based client's first test in a fresh JVM: JUnit, an OkHttp client with its own TLS
 * trust (as the stage client has, so the JVM's default trust store is never loaded) and one request to nginx's
 * published port ({@code -Dbench.port}), with no ProxyStage at all. Not named *Test: nothing here runs in the build.
 */
public class OkHttpOnly {

    @Test
    void okHttpRequest() throws Exception {
        HandshakeCertificates trust = new HandshakeCertificates.Builder().build();
        OkHttpClient client = new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                .followRedirects(false).build();
        Request request = new Request.Builder().url("http://127.0.0.1:" + Integer.getInteger("bench.port") + "/")
                .header("Host", "vw.example.com").build();
        try (Response response = client.newCall(request).execute()) {
            // Any answer of nginx's will do, as for NoStage: the client's cost is measured, not the route.
            Assertions.assertTrue(response.code() >= 100, "status " + response.code());
        }
    }
}
