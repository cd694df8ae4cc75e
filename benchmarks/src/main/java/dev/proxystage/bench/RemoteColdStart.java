package dev.proxystage.bench;

import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.tls.HeldCertificate;

/**
 * The remote-engine row: cold start of the example stage (offline profile) on this machine's engine and on a second
 * engine on its own test host (scripts/test-host-engine.sh, TLS over TCP), side by side in one run. Each repetition
 * is a fresh JVM, as a test run is: from JVM start to the first 200 through nginx, via the public builder; the two
 * engines alternate so that drift hits both. Prints one markdown table.
 *
 * <p>{@code RemoteColdStart --root DIR [--reps N]}; the child mode is {@code --child ROOT}.
 */
public final class RemoteColdStart {

    private static final String PREFIX = "10.213.250";
    private static final String ADDR = PREFIX + ".2";
    private static final String NAME = "ps-bench-remote";

    private RemoteColdStart() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            child(Path.of(args[1]));
            return;
        }
        Path root = Path.of("").toAbsolutePath();
        int reps = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--reps" -> reps = Math.max(3, Integer.parseInt(args[++i]));
                default -> {
                    System.err.println("[bench] unknown argument " + args[i] + " (known: --root DIR, --reps N)");
                    System.exit(2);
                }
            }
        }
        System.out.println(run(root, reps));
    }

    /** Brings the test host up, measures both engines, and always takes the test host down. */
    static String run(Path root, int reps) throws Exception {
        Path dir = Files.createTempDirectory("proxystage-bench-remote");
        Path script = root.resolve("scripts/test-host-engine.sh");
        try {
            Path certs = Files.createDirectories(dir.resolve("certs"));
            writeCertificates(certs);
            System.err.println("[bench] remote: test host " + NAME + " at " + ADDR);
            exec(List.of("bash", script.toString(), "up", NAME, certs.toString(), PREFIX), System.getenv(), 300);
            Series local = new Series();
            Series remote = new Series();
            for (int i = 0; i < reps; i++) {
                local.add(fresh(root, environment(Map.of())));
                remote.add(fresh(root, environment(Map.of("DOCKER_HOST", "tcp://" + ADDR + ":2376", "DOCKER_TLS_VERIFY", "1",
                        "DOCKER_CERT_PATH", certs.toString()))));
                System.err.println("[bench] remote: repetition " + (i + 1) + "/" + reps);
            }
            return "| cold start of the example stage (fresh JVM to first 200) | this machine's engine (unix socket) | "
                    + "second engine on its own test host (TCP + TLS) |\n| --- | --- | --- |\n"
                    + "| median (min–max), " + reps + " runs each | " + local.format("ms", 0) + " | " + remote.format("ms", 0) + " |";
        } finally {
            exec(List.of("bash", script.toString(), "down", NAME), System.getenv(), 120);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One fresh JVM's cold start, in milliseconds from its start to the first 200. */
    private static double fresh(Path root, Map<String, String> env) throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), RemoteColdStart.class.getName(), "--child", root.toString());
        for (String line : exec(command, env, 300)) {
            if (line.startsWith("READY ")) {
                return Double.parseDouble(line.substring(6));
            }
        }
        throw new IllegalStateException("the child printed no READY line");
    }

    private static void child(Path root) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        try (Stage stage = ProxyStage.pipeline(root.resolve("example-tests/pipeline.yml")).profile("offline").stage("prep").start()) {
            int status = stage.client().get("http://vw.example.com/").status();
            long ms = System.currentTimeMillis() - jvmStart;
            if (status != 301) {
                throw new IllegalStateException("first request answered " + status);
            }
            System.out.println("READY " + ms);
        }
    }

    /** This JVM's environment without the Testcontainers and Docker variables, plus {@code extra}. */
    private static Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("TESTCONTAINERS_") || key.startsWith("DOCKER_"));
        env.putAll(extra);
        return env;
    }

    private static void writeCertificates(Path certs) throws IOException {
        HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("proxystage bench CA").rsa2048().build();
        HeldCertificate server = new HeldCertificate.Builder().commonName(ADDR).addSubjectAlternativeName(ADDR).signedBy(ca)
                .rsa2048().build();
        HeldCertificate client = new HeldCertificate.Builder().commonName("proxystage bench").signedBy(ca).rsa2048().build();
        Files.writeString(certs.resolve("ca.pem"), ca.certificatePem());
        Files.writeString(certs.resolve("server-cert.pem"), server.certificatePem());
        Files.writeString(certs.resolve("server-key.pem"), server.privateKeyPkcs8Pem());
        Files.writeString(certs.resolve("cert.pem"), client.certificatePem());
        Files.writeString(certs.resolve("key.pem"), client.privateKeyPkcs8Pem());
    }

    private static List<String> exec(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Path log = Files.createTempFile("proxystage-bench-remote", ".log");
        try {
            Process process = builder.redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(command.get(0) + " did not end within " + timeoutSeconds + " s");
            }
            List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                        + String.join("\n", lines));
            }
            return lines;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
