package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code up}, {@code down} and {@code check} (with its nginx -t) against a second Docker engine on its own test host
 * (scripts/test-host-engine.sh), configured by DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH alone, in JVMs
 * without the Testcontainers variables. One test host for the class, removed even when it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteCliIT {

    private static final Path SCRIPT = Path.of("../scripts/test-host-engine.sh").toAbsolutePath().normalize();
    private static final Path PIPELINE = Path.of("../example-tests/pipeline.yml").toAbsolutePath().normalize();

    private final String name = "ps-cli-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final String prefix = "10.214." + (100 + ThreadLocalRandom.current().nextInt(100));
    private final String addr = prefix + ".2";
    private Path dir;
    private Path certs;

    @BeforeAll
    void upTestHost() throws Exception {
        dir = Files.createTempDirectory("proxystage-remote-cli-it");
        certs = Files.createDirectories(dir.resolve("certs"));
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("test host CA").rsa2048().build();
        HeldCertificate server = new HeldCertificate.Builder().commonName(addr).addSubjectAlternativeName(addr).signedBy(ca)
                .rsa2048().build();
        HeldCertificate client = new HeldCertificate.Builder().commonName("test client").signedBy(ca).rsa2048().build();
        Files.writeString(certs.resolve("ca.pem"), ca.certificatePem());
        Files.writeString(certs.resolve("server-cert.pem"), server.certificatePem());
        Files.writeString(certs.resolve("server-key.pem"), server.privateKeyPkcs8Pem());
        Files.writeString(certs.resolve("cert.pem"), client.certificatePem());
        Files.writeString(certs.resolve("key.pem"), client.privateKeyPkcs8Pem());
        try {
            assertThat(exec(List.of("bash", SCRIPT.toString(), "up", name, certs.toString(), prefix), System.getenv(), 240).out)
                    .contains("ready DOCKER_HOST=tcp://" + addr + ":2376");
        } catch (Throwable e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        if (dir == null) {
            return;
        }
        try {
            exec(List.of("bash", SCRIPT.toString(), "down", name), System.getenv(), 120);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            dir = null;
        }
    }

    @Test
    void nginxTestRunsOnTheRemoteEngine() throws Exception {
        Result check = cli(List.of("check", "--config", PIPELINE.toString(), "--stage", "prep", "--profile", "offline"), 120);
        assertThat(check.exitCode).as(check.out).isEqualTo(Main.OK);
        assertThat(check.out).contains("check: nginx -t ran in proxystage/nginx:offline").contains("check: ok");
        assertThat(remote("ps", "-aq")).as("the one-off nginx -t container is gone").isEmpty();
    }

    @Test
    void upServesOnTheEnginesAddressAndDownFindsNothingLeft() throws Exception {
        List<String> command = new ArrayList<>(java());
        command.addAll(List.of("up", "--config", PIPELINE.toString(), "--stage", "prep", "--profile", "offline"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(remoteEnvironment());
        Path log = dir.resolve("up.log");
        Process up = builder.redirectOutput(log.toFile()).start();
        try {
            List<String> lines = List.of();
            for (int i = 0; i < 1200 && up.isAlive(); i++) {
                lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                if (lines.contains("ready")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(lines).as(String.join("\n", lines)).contains("ready");
            assertThat(lines.get(0)).startsWith("stage prep: connecting to the Docker engine at tcp://" + addr + ":2376 (DOCKER_HOST)");
            String https = lines.stream().filter(l -> l.startsWith("curl ") && l.endsWith(" https://vw.example.com/"))
                    .findFirst().orElseThrow();
            assertThat(https).contains("--connect-to vw.example.com:443:" + addr + ":");
            Result curl = exec(List.of("sh", "-c", https + " --silent --show-error --max-time 20 --write-out ' %{http_code}'"),
                    System.getenv(), 60);
            assertThat(curl.out).as(curl.out).contains("\"alias\":\"vaultwarden\"").endsWith(" 200");
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("backend vaultwarden: http://" + addr + ":"));
            assertThat(remote("ps", "-q")).hasSize(2);
        } finally {
            up.destroy(); // SIGTERM: up stops and removes the stage
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up ends on SIGTERM").isTrue();
        }
        assertThat(Files.readString(log)).contains("stopped: stage prep");
        Result down = cli(List.of("down"), 60);
        assertThat(down.exitCode).as(down.out).isEqualTo(Main.OK);
        assertThat(down.out).contains("nothing to remove");
        for (String what : List.of("ps -aq", "network ls -q", "volume ls -q")) {
            assertThat(remote((what + " --filter label=dev.proxystage.run").split(" "))).as(what).isEmpty();
        }
    }

    // --- helpers ---

    private record Result(int exitCode, String out) {
    }

    private List<String> java() {
        return List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                Main.class.getName());
    }

    private Result cli(List<String> args, int timeoutSeconds) throws Exception {
        List<String> command = new ArrayList<>(java());
        command.addAll(args);
        return exec(command, remoteEnvironment(), timeoutSeconds);
    }

    private Map<String, String> remoteEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("TESTCONTAINERS_") || key.startsWith("DOCKER_"));
        env.put("DOCKER_HOST", "tcp://" + addr + ":2376");
        env.put("DOCKER_TLS_VERIFY", "1");
        env.put("DOCKER_CERT_PATH", certs.toString());
        return env;
    }

    private List<String> remote(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "--tlsverify", "--tlscacert", certs.resolve("ca.pem").toString(),
                "--tlscert", certs.resolve("cert.pem").toString(), "--tlskey", certs.resolve("key.pem").toString(),
                "-H", "tcp://" + addr + ":2376"));
        command.addAll(List.of(args));
        Result result = exec(command, System.getenv(), 60);
        assertThat(result.exitCode).as(result.out).isZero();
        return result.out.isBlank() ? List.of() : List.of(result.out.strip().split("\\R"));
    }

    private Result exec(List<String> command, Map<String, String> env, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Path log = Files.createTempFile(dir, "out", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not end within " + timeoutSeconds + " s:\n"
                    + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.print(out);
        return new Result(process.exitValue(), out);
    }
}
