package dev.proxystage.internal.runtime;

import dev.proxystage.internal.logs.TraceIndex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLServerSocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Runs the stage client's code path once ahead of the first test: OkHttp, Kotlin's runtime, the JDK's TLS
 * handshake and the trace records' JSON mapper take a fresh JVM several hundred milliseconds to load. One plain and
 * one TLS request to sockets of this JVM's own on loopback, made on another thread while the run reads its
 * configuration (attaching) or while the stage's containers start, take that off the first test's path.
 */
final class ClientWarmup {

    /** Once per JVM: a second run finds the classes loaded. */
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private ClientWarmup() {
    }

    /** Starts {@link #run} on a daemon thread, the first time only. */
    static void startOnce() {
        if (STARTED.compareAndSet(false, true)) {
            Thread warm = new Thread(ClientWarmup::run, "proxystage-warmup");
            warm.setDaemon(true);
            warm.start();
        }
    }

    /** Returns whether every step went through (false: something was missing; the client will load it later). */
    static boolean run() {
        boolean plain = request(false);
        boolean tls = request(true);
        return plain & tls & TraceIndex.warmUp();
    }

    /**
     * One request to a socket of this JVM's own: plain, or over TLS with a throwaway certificate for localhost (an
     * EC key, as the run's CA issues: its handshake loads what a stage's HTTPS route needs).
     */
    static boolean request(boolean tls) {
        try {
            HeldCertificate held = tls ? new HeldCertificate.Builder().addSubjectAlternativeName("localhost").build() : null;
            ServerSocket server = tls
                    ? serverFactory(held).createServerSocket(0, 1, InetAddress.getLoopbackAddress())
                    : new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            try (server) {
                server.setSoTimeout(2000);
                Thread answer = new Thread(() -> answerOnce(server), "proxystage-warmup-server");
                answer.setDaemon(true);
                answer.start();
                HandshakeCertificates trust = tls
                        ? new HandshakeCertificates.Builder().addTrustedCertificate(held.certificate()).build()
                        : new HandshakeCertificates.Builder().build();
                OkHttpClient client = new OkHttpClient.Builder()
                        .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                        .callTimeout(Duration.ofSeconds(2))
                        .build();
                String host = tls ? "localhost" : InetAddress.getLoopbackAddress().getHostAddress();
                String url = (tls ? "https://" : "http://") + host + ":" + server.getLocalPort() + "/";
                boolean answered;
                try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
                    answered = response.code() == 204;
                }
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
                return answered;
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // Only time is at stake: the client loads what it needs when it is used.
            return false;
        }
    }

    private static SSLServerSocketFactory serverFactory(HeldCertificate held) {
        return new HandshakeCertificates.Builder().heldCertificate(held).build().sslContext().getServerSocketFactory();
    }

    private static void answerOnce(ServerSocket server) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int read;
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0 && (read = in.read(buffer)) > 0) {
                head.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the warm-up gave up first
        }
    }
}
