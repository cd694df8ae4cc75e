package dev.proxystage.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.tls.HeldCertificate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.shaded.com.github.dockerjava.core.DefaultDockerClientConfig;
import org.testcontainers.shaded.com.github.dockerjava.core.DockerClientImpl;
import org.testcontainers.shaded.com.github.dockerjava.core.RemoteApiVersion;

/**
 * The floor under case (c) in a fresh JVM: benchmarks/cli/stage.sh's engine calls, in its order, made by this JVM
 * with docker-java and no ProxyStage: network, volume, the echo backend (its class files copied in, published on
 * 127.0.0.1, {@code GET /alive} polled every 50 ms), a CA and one leaf per certificate pair conf.d names (okhttp-tls,
 * where the script runs openssl), nginx with conf.d and the certificates, then the first 200 through OkHttp, polled
 * every 50 ms as the script polls curl. One thread, nothing overlapped: what a plain program pays, JVM and all.
 */
final class DockerJavaStage {

    private static final String JRE = "proxystage/jre:17-offline";
    private static final String NGINX = "proxystage/nginx:offline";
    private static final long POLL_MS = 50;

    private final Path root;
    private final Map<String, String> labels;

    DockerJavaStage(Path root, String benchValue) {
        this.root = root;
        this.labels = Map.of(DockerCli.BENCH_LABEL, benchValue);
    }

    /** A docker-java client for DOCKER_HOST (else the local socket), settling the API version with one ping. */
    static DockerClient client() {
        String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(host)).build();
        DockerClient docker = DockerClientImpl.getInstance(config(host, RemoteApiVersion.VERSION_1_44), http);
        try {
            docker.pingCmd().exec();
            return docker;
        } catch (RuntimeException tooNew) {
            return DockerClientImpl.getInstance(config(host, RemoteApiVersion.VERSION_1_32), http);
        }
    }

    private static DefaultDockerClientConfig config(String host, RemoteApiVersion version) {
        return DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).withApiVersion(version).build();
    }

    RunningStage up(String id) {
        DockerClient docker = client();
        String net = "nginx-rp-network-prep-" + id;
        String volume = "vaultwarden-prep-" + id;
        String backend = "vaultwarden-prep-" + id;
        String nginx = "nginx-rp-prep-" + id;
        Runnable down = () -> {
            for (String container : List.of(nginx, backend)) {
                quietly(() -> docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec());
            }
            quietly(() -> docker.removeNetworkCmd(net).exec());
            quietly(() -> docker.removeVolumeCmd(volume).exec());
        };
        try {
            docker.createNetworkCmd().withName(net).withDriver("bridge").withLabels(labels).exec();
            docker.createVolumeCmd().withName(volume).withLabels(labels).exec();

            docker.createContainerCmd(JRE).withName(backend).withLabels(labels).withHostName("vaultwarden")
                    .withAliases("vaultwarden")
                    .withEnv("SIGNUPS_ALLOWED=false", "ECHO_PORT=80", "PROXYSTAGE_STAGE=prep",
                            "PROXYSTAGE_ALIAS=vaultwarden", "PROXYSTAGE_BACKEND=vaultwarden")
                    .withExposedPorts(ExposedPort.tcp(80))
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode(net).withPortBindings(loopback(Set.of(80)))
                            .withBinds(new Bind(volume, new Volume("/data"))))
                    .withCmd("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                            "-cp", "/opt/proxystage-echo", "dev.proxystage.echo.EchoServer")
                    .exec();
            docker.copyArchiveToContainerCmd(backend).withRemotePath("/")
                    .withTarInputStream(new ByteArrayInputStream(echoTar())).exec();
            docker.startContainerCmd(backend).exec();
            int alive = published(docker.inspectContainerCmd(backend).exec(), 80);
            poll(60, () -> aliveAnswers(alive));

            ConfD conf = ConfD.read(root.resolve("conf.d"));
            Map<String, byte[]> files = new LinkedHashMap<>();
            Path confD = root.resolve("conf.d");
            try (Stream<Path> list = Files.list(confD)) {
                for (Path file : list.sorted().toList()) {
                    files.put("proxystage/root/etc/nginx/conf.d/" + file.getFileName(), Files.readAllBytes(file));
                }
            }
            HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
                    .commonName("bench CA " + id).duration(1, TimeUnit.DAYS).build();
            for (String[] pair : conf.certificatePairs()) {
                String name = Path.of(pair[0]).getFileName().toString().replaceAll("\\.(crt|pem)$", "");
                HeldCertificate leaf = new HeldCertificate.Builder()
                        .addSubjectAlternativeName(name.contains(".") ? name : "localhost")
                        .duration(1, TimeUnit.DAYS).signedBy(ca).build();
                files.put("proxystage/root" + pair[0], leaf.certificatePem().getBytes(StandardCharsets.US_ASCII));
                files.put("proxystage/root" + pair[1], leaf.privateKeyPkcs8Pem().getBytes(StandardCharsets.US_ASCII));
            }

            docker.createContainerCmd(NGINX).withName(nginx).withLabels(labels)
                    .withExposedPorts(conf.ports().stream().map(ExposedPort::tcp).toList())
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode(net).withPortBindings(loopback(conf.ports())))
                    .withEntrypoint("/bin/sh", "-c",
                            "set -e; rm -rf /etc/nginx/conf.d; cp -R /proxystage/root/. /; nginx -t -q; exec nginx -g 'daemon off;'")
                    .exec();
            docker.copyArchiveToContainerCmd(nginx).withRemotePath("/")
                    .withTarInputStream(new ByteArrayInputStream(tar(files))).exec();
            docker.startContainerCmd(nginx).exec();
            InspectContainerResponse started = docker.inspectContainerCmd(nginx).exec();
            Map<Integer, Integer> mapped = new LinkedHashMap<>();
            conf.ports().forEach(p -> mapped.put(p, published(started, p)));

            OkHttpClient http = FirstOk.client(ca.certificate());
            poll(30, () -> {
                FirstOk.followPublished(http, mapped);
                return true;
            });
            http.connectionPool().evictAll();
            int httpPort = mapped.containsKey(80) ? 80 : mapped.keySet().iterator().next();
            return RunningStage.of(mapped.get(httpPort), mapped, down);
        } catch (IOException e) {
            down.run();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            down.run();
            throw e;
        }
    }

    /** The echo's class files under opt/proxystage-echo/, as the script's tar of the -Pbench build's copy. */
    private byte[] echoTar() throws IOException {
        Path classes = root.resolve("benchmarks/target/echo");
        if (!Files.isRegularFile(classes.resolve("dev/proxystage/echo/EchoServer.class"))) {
            classes = root.resolve("echo/target/classes");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        Path dir = classes.resolve("dev/proxystage/echo");
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                files.put("opt/proxystage-echo/dev/proxystage/echo/" + file.getFileName(), Files.readAllBytes(file));
            }
        }
        return tar(files);
    }

    private static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                entry.setMode(0644);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return bytes.toByteArray();
    }

    /** As the script's curl to /alive: any 2xx/3xx answer of the echo on its published port. */
    private static boolean aliveAnswers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /alive HTTP/1.0\r\nHost: vaultwarden\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/") && status.length() == 12 && "23".indexOf(status.charAt(9)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code ready} every 50 ms until it is true; a failure of the last try is the error after the timeout. */
    private static void poll(int seconds, BooleanSupplier ready) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not ready within " + seconds + " s");
                }
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    private static int published(InspectContainerResponse container, int port) {
        Ports.Binding[] bindings = container.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(port));
        return Integer.parseInt(bindings[0].getHostPortSpec());
    }

    private static Ports loopback(Set<Integer> ports) {
        Ports bindings = new Ports();
        ports.forEach(p -> bindings.bind(ExposedPort.tcp(p), Ports.Binding.bindIp("127.0.0.1")));
        return bindings;
    }

    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException gone) {
            // not created, or already gone
        }
    }
}
