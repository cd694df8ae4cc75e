package dev.proxystage.internal.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

/**
 * Runs the stage client's code path once ahead of the first test: OkHttp, Kotlin's runtime and the JDK's TLS
 * classes take a fresh JVM a few hundred milliseconds to load. One plain request to a socket of this JVM's own on
 * loopback, made on another thread while the run reads its configuration, takes that off the first test's path.
 */
final class ClientWarmup {

    private ClientWarmup() {
    }

    /** Returns whether the request went through (false: something was missing; the client will load it later). */
    static boolean run() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(2000);
            Thread answer = new Thread(() -> answerOnce(server), "proxystage-warmup-server");
            answer.setDaemon(true);
            answer.start();
            HandshakeCertificates trust = new HandshakeCertificates.Builder().build();
            OkHttpClient client = new OkHttpClient.Builder()
                    .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                    .callTimeout(Duration.ofSeconds(2))
                    .build();
            String url = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getLocalPort() + "/";
            boolean answered;
            try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
                answered = response.code() == 204;
            }
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdown();
            return answered;
        } catch (IOException | RuntimeException | LinkageError e) {
            // Only time is at stake: the client loads what it needs when it is used.
            return false;
        }
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
