package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.docker.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The resolver against the real nginx: the corpus's servers run in the offline nginx image (copied in, no bind
 * mount), every corpus URI is sent through the published ports, and nginx's answer must be both the code recorded
 * in cases.txt and the resolver's prediction.
 */
class LocationResolverIT {

    private static final String NGINX_CONF = """
            worker_processes 1;
            error_log stderr notice;
            pid /tmp/nginx.pid;
            events { worker_connections 64; }
            http {
                access_log off;
                include /etc/nginx/resolver/*.conf;
            }
            """;
    private static final int[] PORTS = {8080, 8081, 8082, 8083};

    @Test
    void nginxAnswersEveryCorpusUriAsTheResolverPredicts() throws IOException {
        NginxConfig config = ResolverCorpus.config();
        LocationResolver resolver = new LocationResolver(config);
        List<ResolverCorpus.Case> cases = ResolverCorpus.cases();
        List<String> recordedWrong = new ArrayList<>();
        List<String> predictedWrong = new ArrayList<>();
        int agreed = 0;
        try (GenericContainer<?> nginx = new GenericContainer<>(DockerImageName.parse("proxystage/nginx:offline"))
                .withLabels(Map.of(Labels.RUN, UUID.randomUUID().toString().substring(0, 8), Labels.STAGE, "resolver",
                        Labels.ROLE, "resolver-check", Labels.PID, Long.toString(ProcessHandle.current().pid()),
                        Labels.HOST, Labels.hostName()))
                .withCopyToContainer(Transferable.of(NGINX_CONF), "/etc/nginx/nginx.conf")
                .withCopyToContainer(MountableFile.forHostPath(ResolverCorpus.dir().resolve("conf.d")),
                        "/etc/nginx/resolver")
                .withCommand("nginx", "-g", "daemon off;")
                .withExposedPorts(8080, 8081, 8082, 8083)
                .waitingFor(Wait.forListeningPorts(PORTS))) {
            nginx.start();
            for (ResolverCorpus.Case c : cases) {
                int actual = status(nginx.getHost(), nginx.getMappedPort(c.port()), c.host(), c.target());
                OptionalInt predicted = ResolverCorpus.predict(config, resolver, c);
                if (actual != c.expected()) {
                    recordedWrong.add(c + ": nginx answers " + actual + ", cases.txt records " + c.expected());
                }
                if (predicted.isPresent() && predicted.getAsInt() == actual) {
                    agreed++;
                } else {
                    predictedWrong.add(c + ": nginx answers " + actual + ", the resolver says "
                            + (predicted.isEmpty() ? "unknown" : predicted.getAsInt()) + " ("
                            + ResolverCorpus.explain(config, resolver, c) + ")");
                }
            }
        }
        System.out.println("LocationResolverIT: " + cases.size() + " URIs sent to nginx, the resolver agreed on "
                + agreed);
        assertThat(cases).hasSizeGreaterThan(150);
        assertThat(recordedWrong).isEmpty();
        assertThat(predictedWrong).isEmpty();
    }

    /** The status of {@code GET target} with {@code Host: host}, sent as written (no client normalizes it). */
    private static int status(String address, int port, String host, String target) throws IOException {
        try (Socket socket = new Socket(address, port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                line.append((char) b);
            }
            String[] parts = line.toString().split(" ");
            // A closed connection without an answer is nginx's 444.
            return parts.length < 2 ? 444 : Integer.parseInt(parts[1]);
        }
    }
}
