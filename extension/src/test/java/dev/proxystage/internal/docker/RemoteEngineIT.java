package dev.proxystage.internal.docker;

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
 * A stage on a second Docker engine on its own test host (scripts/test-host-engine.sh: a network namespace with its
 * own dockerd listening on TCP with TLS), reached the standard way: a forked JVM whose environment has DOCKER_HOST,
 * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and none of the Testcontainers variables. Only the test host's own address
 * is used. One test host for the class; it is removed even when the class fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteEngineIT {

    private static final Path SCRIPT = Path.of("../scripts/test-host-engine.sh").toAbsolutePath().normalize();
    private static final Path PIPELINE = Path.of("../example-tests/pipeline.yml").toAbsolutePath().normalize();

    private final String name = "ps-remote-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
    private final String prefix = "10.213." + (100 + ThreadLocalRandom.current().nextInt(100));
    private final String addr = prefix + ".2";
    private Path dir;
    private Path certs;
    private List<String> run = List.of();

    @BeforeAll
    void upTestHostAndRunTheStageThere() throws Exception {
        dir = Files.createTempDirectory("proxystage-remote-it");
        certs = Files.createDirectories(dir.resolve("certs"));
        writeCertificates();
        try {
            List<String> up = exec(List.of("bash", SCRIPT.toString(), "up", name, certs.toString(), prefix), Map.of(), 240);
            assertThat(up).as("test host up").contains("ready DOCKER_HOST=tcp://" + addr + ":2376");
            // A real engine keeps its networks apart with iptables rules; the test host's dockerd runs without them,
            // so the kernel would forward between its bridges. Without forwarding, networks are apart as on a real one.
            exec(List.of("nsenter", "--net=/run/netns/" + name, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"), Map.of(), 30);
            run = java(List.of(RemoteStageRun.class.getName(), PIPELINE.toString(), "offline"), remoteEnvironment(), 300);
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
            exec(List.of("bash", SCRIPT.toString(), "down", name), Map.of(), 120);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            dir = null;
        }
    }

    @Test
    void routesOverTlsThroughTheRemoteEnginesPublishedPorts() {
        assertThat(run).contains("outcome routedOverTls SUCCESSFUL ");
        assertThat(run).filteredOn(l -> l.startsWith("fixture direct ")).singleElement().asString()
                .startsWith("fixture direct http://" + addr + ":");
    }

    @Test
    void twoStagesOnTheRemoteEngineAreIsolated() {
        assertThat(run).contains("outcome isolatedFromWip SUCCESSFUL ");
    }

    @Test
    void aFailingTestGetsTheStagesDiagnostics() {
        assertThat(run).filteredOn(l -> l.startsWith("outcome failsOnPurpose ")).singleElement().asString()
                .startsWith("outcome failsOnPurpose FAILED").contains("418");
        assertThat(run).contains("diag StageDiagnostics");
        assertThat(run).anySatisfy(l -> assertThat(l).startsWith("diag ").contains("[nginx-rp-prep-").contains("/teapot"));
        assertThat(run).anySatisfy(l -> assertThat(l).startsWith("diag ").contains("[vaultwarden-prep-").contains("/teapot"));
    }

    @Test
    void everyPortIsBoundToTheTestHostsAddressOnly() {
        assertThat(run).contains("outcome portBindingsOnTheEngine SUCCESSFUL ");
        List<String> bindings = run.stream().filter(l -> l.startsWith("fixture binding ")).toList();
        // nginx's 80 and 443, and the backend's 80
        assertThat(bindings).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(l -> assertThat(l).matches("fixture binding /\\S+ \\d+/tcp " + addr.replace(".", "\\.") + ":\\d*"))
                .noneSatisfy(l -> assertThat(l).contains(" 0.0.0.0:"));
    }

    @Test
    void nothingIsLeftOnEitherEngine() throws Exception {
        assertThat(run).contains("done");
        List<String> runIds = run.stream().filter(l -> l.startsWith("fixture run ")).map(l -> l.substring(12)).distinct().toList();
        assertThat(runIds).as("the one run of prep and wip").hasSize(1);
        for (String what : List.of("ps -aq", "network ls -q", "volume ls -q")) {
            List<String> args = new ArrayList<>(remoteDocker());
            args.addAll(List.of(what.split(" ")));
            args.addAll(List.of("--filter", "label=" + Labels.RUN));
            assertThat(exec(args, Map.of(), 60)).as("remote " + what).isEmpty();
            for (String runId : runIds) {
                List<String> local = new ArrayList<>(List.of("docker"));
                local.addAll(List.of(what.split(" ")));
                local.addAll(List.of("--filter", "label=" + Labels.RUN + "=" + runId));
                assertThat(exec(local, Map.of("DOCKER_HOST", ""), 60)).as("local " + what + " of run " + runId).isEmpty();
            }
        }
    }

    @Test
    void anEngineThatDoesNotAnswerFailsNamingTheAddress() throws Exception {
        // .3 is on the test host's subnet and nobody has it: the connection cannot succeed.
        Map<String, String> env = remoteEnvironment();
        env.put("DOCKER_HOST", "tcp://" + prefix + ".3:2376");
        List<String> out = java(List.of(RemoteStageRun.class.getName(), PIPELINE.toString(), "offline"), env, 120);
        assertThat(out).contains("done");
        assertThat(out).filteredOn(l -> l.startsWith("outcome RemoteFixtures$Prep ")).singleElement().asString()
                .startsWith("outcome RemoteFixtures$Prep FAILED")
                .contains("no Docker engine answers at tcp://" + prefix + ".3:2376 (DOCKER_HOST)");
    }

    @Test
    void theSameRunOnTheLocalEngineNeedsNoTestcontainersVariables() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("TESTCONTAINERS_") || key.startsWith("DOCKER_"));
        List<String> out = java(List.of(RemoteStageRun.class.getName(), PIPELINE.toString(), "offline"), env, 300);
        assertThat(out).contains("outcome routedOverTls SUCCESSFUL ", "outcome isolatedFromWip SUCCESSFUL ",
                "outcome portBindingsOnTheEngine SUCCESSFUL ", "done");
        assertThat(out).filteredOn(l -> l.startsWith("fixture binding ")).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(l -> assertThat(l).matches("fixture binding /\\S+ \\d+/tcp 127\\.0\\.0\\.1:\\d*"));
        // Locally this host is on the stage network: the backend is reached at its own address, nothing published.
        assertThat(out).filteredOn(l -> l.startsWith("fixture direct ")).singleElement().asString()
                .matches("fixture direct http://\\d+\\.\\d+\\.\\d+\\.\\d+:80");
    }

    // --- helpers ---

    private void writeCertificates() throws IOException {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("proxystage test host CA")
                .rsa2048().build();
        HeldCertificate server = new HeldCertificate.Builder().commonName(addr).addSubjectAlternativeName(addr)
                .signedBy(ca).rsa2048().build();
        // okhttp-tls writes no extendedKeyUsage; Go's TLS (dockerd) accepts such a certificate for client auth.
        HeldCertificate client = new HeldCertificate.Builder().commonName("proxystage test client").signedBy(ca)
                .rsa2048().build();
        Files.writeString(certs.resolve("ca.pem"), ca.certificatePem());
        Files.writeString(certs.resolve("server-cert.pem"), server.certificatePem());
        Files.writeString(certs.resolve("server-key.pem"), server.privateKeyPkcs8Pem());
        Files.writeString(certs.resolve("cert.pem"), client.certificatePem());
        Files.writeString(certs.resolve("key.pem"), client.privateKeyPkcs8Pem());
    }

    private Map<String, String> remoteEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("TESTCONTAINERS_") || key.startsWith("DOCKER_"));
        env.put("DOCKER_HOST", "tcp://" + addr + ":2376");
        env.put("DOCKER_TLS_VERIFY", "1");
        env.put("DOCKER_CERT_PATH", certs.toString());
        return env;
    }

    private List<String> remoteDocker() {
        return List.of("docker", "--tlsverify", "--tlscacert", certs.resolve("ca.pem").toString(),
                "--tlscert", certs.resolve("cert.pem").toString(), "--tlskey", certs.resolve("key.pem").toString(),
                "-H", "tcp://" + addr + ":2376");
    }

    private List<String> java(List<String> args, Map<String, String> env, int timeoutSeconds) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path")));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        return run(builder, timeoutSeconds);
    }

    private List<String> exec(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        return run(builder, timeoutSeconds);
    }

    private List<String> run(ProcessBuilder builder, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile(dir, "out", ".log");
        Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", builder.command()) + " did not end within " + timeoutSeconds
                    + " s; its output:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        lines.forEach(System.out::println);
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", builder.command()) + " exited " + process.exitValue());
        }
        return lines;
    }
}
