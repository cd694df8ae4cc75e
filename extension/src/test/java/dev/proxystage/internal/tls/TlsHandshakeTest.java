package dev.proxystage.internal.tls;

import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real TLS handshake between OkHttp and a server presenting a leaf issued by the test CA. */
class TlsHandshakeTest {

    private static final Set<String> MAPPED_HOSTS = Set.of("vw.example.com", "other.example.com");

    private TestCertificateAuthority ca;
    private LeafCertificate leaf;
    private TlsServer server;

    @BeforeEach
    void startServer() throws IOException {
        ca = TestCertificateAuthority.create("handshake");
        leaf = ca.issueForServerNames(List.of("vw.example.com"), Map.of());
        server = new TlsServer(leaf.serverCertificates().sslContext());
    }

    @AfterEach
    void stopServer() throws IOException {
        server.close();
        ca.close();
    }

    @Test
    void clientTrustingTheRunCaReachesTheServerByItsName() throws IOException {
        try (Response response = get(client(ca.clientTrust()), "vw.example.com")) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("hello");
            assertThat(response.handshake()).isNotNull();
            assertThat(response.handshake().peerCertificates()).first().isEqualTo(leaf.certificate());
        }
        // The test host reaches the server as SNI, which is how nginx picks the server block.
        assertThat(server.requestedServerNames).contains("vw.example.com");
    }

    @Test
    void nameNotInTheCertificateFailsHostnameVerification() {
        assertThatThrownBy(() -> get(client(ca.clientTrust()), "other.example.com").close())
                .isInstanceOf(SSLPeerUnverifiedException.class)
                .hasMessageContaining("other.example.com");
    }

    @Test
    void clientNotTrustingTheRunCaFailsTheHandshake() {
        try (TestCertificateAuthority otherRun = TestCertificateAuthority.create("other-run")) {
            assertThatThrownBy(() -> get(client(otherRun.clientTrust()), "vw.example.com").close())
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void clientTrustHasNoPlatformRoots() {
        assertThat(ca.clientTrust().trustManager().getAcceptedIssuers()).containsExactly(ca.caCertificate());
    }

    private Response get(OkHttpClient client, String host) throws IOException {
        return client.newCall(new Request.Builder().url("https://" + host + ":" + server.port() + "/").build())
                .execute();
    }

    private static OkHttpClient client(HandshakeCertificates trust) {
        Dns testDns = hostname -> {
            if (MAPPED_HOSTS.contains(hostname)) {
                return List.of(InetAddress.getByName("127.0.0.1"));
            }
            throw new UnknownHostException(hostname);
        };
        return new OkHttpClient.Builder()
                .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                .dns(testDns)
                .retryOnConnectionFailure(false)
                .callTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Answers every request with a fixed HTTP/1.1 200 and closes the connection. */
    private static final class TlsServer implements AutoCloseable {

        final List<String> requestedServerNames = new CopyOnWriteArrayList<>();
        private final SSLServerSocket socket;
        private final Thread thread;

        TlsServer(SSLContext context) throws IOException {
            socket = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            thread = new Thread(this::serve, "tls-test-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    connection.setSoTimeout(5_000);
                    answer((SSLSocket) connection);
                } catch (IOException e) {
                    // A client that rejects the certificate aborts the handshake; keep serving the next one.
                }
            }
        }

        private void answer(SSLSocket connection) throws IOException {
            connection.startHandshake();
            if (connection.getSession() instanceof ExtendedSSLSession session) {
                for (SNIServerName name : session.getRequestedServerNames()) {
                    if (name instanceof SNIHostName host) {
                        requestedServerNames.add(host.getAsciiName());
                    }
                }
            }
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // Skip the request line and headers.
            }
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                    + "Connection: close\r\n\r\nhello").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
