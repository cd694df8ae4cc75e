package dev.proxystage.bench;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.EngineEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * Cases (b) and (c) once in a brand-new JVM, as a test run meets them: JVM start, class loading, finding the Docker
 * engine, then the stage. Case (b) lets Testcontainers find the engine first, timed on its own; case (c) is
 * ProxyStage alone, which connects to the engine its environment names without Testcontainers' search (its
 * connection is part of the stage's time, {@code docker=0}). At the first 200 it prints
 * {@code READY main=<ms from JVM start to main> docker=<ms to find the engine>}, then tears down.
 *
 * <p>Mode {@code floor} starts no stage: docker-java's first call (the client for the engine ProxyStage would pick,
 * and its version request) and one plain OkHttp request to a socket of its own. What any fresh JVM that drives the
 * engine and sends one request pays before the engine does any work for a stage.
 *
 * <p>Mode {@code docker-java} is the whole stage without ProxyStage: the docker CLI script's engine calls, in its
 * order, made with docker-java ({@link DockerJavaStage}). What a fresh JVM pays for the same stage as the script.
 *
 * <p>Arguments: {@code tc|proxystage|floor|docker-java ROOT ID BENCH_LABEL_VALUE}
 */
public final class FreshJvm {

    private FreshJvm() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long main = System.currentTimeMillis() - jvmStart;
        String mode = args[0];
        Path root = Path.of(args[1]);
        String id = args[2];
        long docker = 0;
        if (mode.equals("floor")) {
            floor();
            System.out.println("READY main=" + main + " docker=0");
            System.out.flush();
            System.exit(0);
        }
        if (mode.equals("tc")) {
            long t = System.nanoTime();
            DockerClientFactory.instance().client(); // Testcontainers' search for the engine, timed on its own
            docker = (System.nanoTime() - t) / 1_000_000;
        }
        PsStage ps = mode.equals("proxystage") ? new PsStage(root) : null;
        RunningStage stage = switch (mode) {
            case "tc" -> new TcStage(root, args[3], false).up(id);
            case "proxystage" -> ps.up(id); // the run id is ProxyStage's own
            case "docker-java" -> new DockerJavaStage(root, args[3]).up(id);
            default -> throw new IllegalArgumentException(mode);
        };
        System.out.println("READY main=" + main + " docker=" + docker);
        System.out.flush();
        stage.down();
        System.exit(0);
    }

    private static void floor() {
        String host = EngineEndpoint.decide(EngineEndpoint.World.system(), Optional.empty()).dockerHost();
        DockerClient docker = DockerClientProviderStrategy.getClientForConfig(
                TransportConfig.builder().dockerHost(URI.create(host)).build());
        docker.versionCmd().exec();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> answerOnce(server));
            answer.setDaemon(true);
            answer.start();
            OkHttpClient client = new OkHttpClient();
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
            try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
                if (response.code() != 204) {
                    throw new IllegalStateException("the floor's request answered " + response.code());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answerOnce(ServerSocket server) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            byte[] buffer = new byte[4096];
            int read;
            while (head.indexOf("\r\n\r\n") < 0 && (read = in.read(buffer)) > 0) {
                head.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
            }
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the request gave up first
        }
    }
}
