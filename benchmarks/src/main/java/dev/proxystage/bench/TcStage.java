package dev.proxystage.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import dev.proxystage.internal.docker.EchoShipping;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.tls.HeldCertificate;
import org.rnorth.ducttape.ratelimits.RateLimiter;
import org.rnorth.ducttape.ratelimits.RateLimiterBuilder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.HttpWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Case (b): the same stage written by hand with Testcontainers, the way a user would without ProxyStage: a labelled
 * network, a data volume, the echo backend under the alias {@code vaultwarden} with the class file copied in, a CA
 * and one leaf per certificate pair that conf.d names (okhttp-tls, EC P-256, as ProxyStage does), nginx with conf.d
 * and the certificates staged and the same entrypoint script, every port published on 127.0.0.1, each container
 * with an HTTP wait; then the first 200.
 *
 * <p>{@code tuned == false} uses Testcontainers' stock {@code Wait.forHttp}, which polls once a second (its default
 * rate limiter); {@code tuned == true} sets a 50 ms rate limiter, the interval StageEnvironment's own waits use.
 */
final class TcStage {

    private static final String START = "#!/bin/sh\nset -e\nrm -rf /etc/nginx/conf.d\ncp -R /proxystage/root/. /\n"
            + "nginx -t -q\nexec nginx -g 'daemon off;'\n";

    private final Path confD;
    private final byte[] echoClass;
    private final Map<String, String> labels;
    private final boolean tuned;

    TcStage(Path root, String benchValue, boolean tuned) {
        this.confD = root.resolve("conf.d");
        // The same bytes ProxyStage copies: the echo's package from the proxystage-echo jar, as one jar.
        this.echoClass = EchoShipping.echoJar();
        this.labels = Map.of(DockerCli.BENCH_LABEL, benchValue);
        this.tuned = tuned;
    }

    RunningStage up(String id) {
        DockerClient docker = DockerClientFactory.instance().client();
        Network network = Network.builder()
                .createNetworkCmdModifier(cmd -> cmd.withName("nginx-rp-network-prep-" + id).withLabels(labels))
                .build();
        String volume = "vaultwarden-prep-" + id;
        GenericContainer<?>[] started = new GenericContainer<?>[2];
        Runnable down = () -> {
            for (int i = 1; i >= 0; i--) {
                if (started[i] != null) {
                    started[i].stop();
                }
            }
            network.close();
            try {
                docker.removeVolumeCmd(volume).exec();
            } catch (RuntimeException alreadyGone) {
                // not created, or gone
            }
        };
        try {
            docker.createVolumeCmd().withName(volume).withLabels(labels).exec();

            GenericContainer<?> backend = new GenericContainer<>(DockerImageName.parse("proxystage/jre:17-offline"))
                    .withNetwork(network)
                    .withNetworkAliases("vaultwarden")
                    .withLabels(labels)
                    .withExposedPorts(80)
                    .withEnv("SIGNUPS_ALLOWED", "false")
                    .withEnv("ECHO_PORT", "80")
                    .withEnv("PROXYSTAGE_STAGE", "prep")
                    .withEnv("PROXYSTAGE_ALIAS", "vaultwarden")
                    .withEnv("PROXYSTAGE_BACKEND", "vaultwarden")
                    .withCopyToContainer(Transferable.of(echoClass), EchoShipping.ECHO_JAR)
                    .withCommand("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                            "-cp", EchoShipping.ECHO_JAR, EchoShipping.ECHO_MAIN)
                    .withCreateContainerCmdModifier(cmd -> {
                        cmd.withName("vaultwarden-prep-" + id).withHostName("vaultwarden");
                        cmd.getHostConfig().withPortBindings(loopback(Set.of(80))).withBinds(new Bind(volume, new Volume("/data")));
                    })
                    .waitingFor(limited(Wait.forHttp("/alive").forStatusCodeMatching(c -> c >= 200 && c < 400)));
            started[0] = backend;
            backend.start();

            ConfD conf = ConfD.read(confD);
            HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
                    .commonName("bench CA " + id).duration(1, TimeUnit.DAYS).build();
            int httpPort = conf.ports().contains(80) ? 80 : conf.ports().iterator().next();
            GenericContainer<?> nginx = new GenericContainer<>(DockerImageName.parse("proxystage/nginx:offline"))
                    .withNetwork(network)
                    .withLabels(labels)
                    .withExposedPorts(conf.ports().toArray(Integer[]::new))
                    .withCopyFileToContainer(MountableFile.forHostPath(confD), "/proxystage/root/etc/nginx/conf.d")
                    .withCopyToContainer(Transferable.of(START.getBytes(StandardCharsets.US_ASCII), 0755), "/proxystage/start.sh")
                    .withCreateContainerCmdModifier(cmd -> {
                        cmd.withName("nginx-rp-prep-" + id).withEntrypoint("/bin/sh", "/proxystage/start.sh").withCmd(List.of());
                        cmd.getHostConfig().withPortBindings(loopback(conf.ports()));
                    })
                    // Any HTTP answer means nginx is up. (HttpURLConnection drops a Host header, so this reaches the
                    // default server, which answers 404 in the example conf.d.)
                    .waitingFor(limited(Wait.forHttp("/").forPort(httpPort).forStatusCodeMatching(c -> c >= 200 && c < 500)));
            for (String[] pair : conf.certificatePairs()) {
                String name = Path.of(pair[0]).getFileName().toString().replaceAll("\\.(crt|pem)$", "");
                HeldCertificate leaf = new HeldCertificate.Builder()
                        .addSubjectAlternativeName(name.contains(".") ? name : "localhost")
                        .duration(1, TimeUnit.DAYS).signedBy(ca).build();
                nginx.withCopyToContainer(Transferable.of(leaf.certificatePem().getBytes(StandardCharsets.US_ASCII), 0644),
                        "/proxystage/root" + pair[0]);
                nginx.withCopyToContainer(Transferable.of(leaf.privateKeyPkcs8Pem().getBytes(StandardCharsets.US_ASCII), 0600),
                        "/proxystage/root" + pair[1]);
            }
            started[1] = nginx;
            nginx.start();

            Map<Integer, Integer> mapped = new LinkedHashMap<>();
            conf.ports().forEach(p -> mapped.put(p, nginx.getMappedPort(p)));
            OkHttpClient http = FirstOk.client(ca.certificate());
            FirstOk.followPublished(http, mapped);
            http.connectionPool().evictAll();
            return RunningStage.of(mapped.get(httpPort), mapped, down);
        } catch (RuntimeException | Error e) {
            down.run();
            throw e;
        }
    }

    private HttpWaitStrategy limited(HttpWaitStrategy wait) {
        wait.withStartupTimeout(Duration.ofSeconds(30));
        if (tuned) {
            RateLimiter every50ms = RateLimiterBuilder.newBuilder().withRate(20, TimeUnit.SECONDS).withConstantThroughput().build();
            wait.withRateLimiter(every50ms);
        }
        return wait;
    }

    private static Ports loopback(Set<Integer> ports) {
        Ports bindings = new Ports();
        ports.forEach(p -> bindings.bind(ExposedPort.tcp(p), Ports.Binding.bindIp("127.0.0.1")));
        return bindings;
    }
}
