package dev.proxystage.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Routing evidence at suite scale: on stages of 1, 20 and 200 echo backends, the cost of a bare request, the cost a
 * trace-backed assertion ({@code wasRoutedTo}) adds over it, and 250 such assertions in a row; then the requests/s
 * of a ProxyStage stage against the docker CLI's stage under the same 8-connection TLS load (wrk).
 *
 * <pre>bash scripts/bench.sh trace [--backends 1,20,200] [--assertions 250]</pre>
 */
public final class TraceBench {

    private TraceBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".").toAbsolutePath().normalize();
        List<Integer> sizes = List.of(1, 20, 200);
        int assertions = 250;
        boolean load = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--backends" -> sizes = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--assertions" -> assertions = Integer.parseInt(args[++i]);
                case "--no-load" -> load = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (known: --root DIR, --backends LIST, --assertions N, --no-load)");
            }
        }
        List<String> rows = new ArrayList<>();
        rows.add("| backends | bare request, median | added by `wasRoutedTo`, median | " + assertions
                + " assertions on one stage | goal |");
        rows.add("| --- | --- | --- | --- | --- |");
        for (int size : sizes) {
            rows.add(traceRow(size, assertions));
        }
        if (load) {
            rows.add("");
            rows.add(loadRow(root));
        }
        System.out.println(String.join("\n", rows));
    }

    /** One stage of {@code size} echo backends, each behind its own server block. */
    private static String traceRow(int size, int assertions) throws IOException {
        Path dir = Files.createTempDirectory("proxystage-tracebench-");
        try {
            Path pipeline = writeStage(dir, size);
            log("starting a stage of " + size + " backends");
            try (Stage stage = ProxyStage.pipeline(pipeline).stage("bench").start()) {
                String last = "b" + (size - 1);
                String url = "http://" + last + ".bench.test/";
                for (int i = 0; i < 50; i++) { // warm-up: connection pool, JIT, the trace path
                    assertThat(stage.client().get(url)).wasRoutedTo(last);
                }
                List<Double> bare = new ArrayList<>();
                List<Double> added = new ArrayList<>();
                long all = System.nanoTime();
                for (int i = 0; i < assertions; i++) {
                    long t0 = System.nanoTime();
                    ProxyResponse response = stage.client().get(url);
                    long t1 = System.nanoTime();
                    assertThat(response).hasStatus(200).wasRoutedTo(last);
                    long t2 = System.nanoTime();
                    bare.add((t1 - t0) / 1e6);
                    added.add((t2 - t1) / 1e6);
                }
                double total = (System.nanoTime() - all) / 1e9;
                log(size + " backends: bare " + fmt(median(bare)) + " ms, added " + fmt(median(added)) + " ms, "
                        + assertions + " in " + fmt(total) + " s");
                return "| " + size + " | " + fmt(median(bare)) + " ms | " + fmt(median(added)) + " ms | "
                        + fmt(total) + " s | added ≤ 10 ms, " + assertions + " < 5 s |";
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** The example prep stage, started by ProxyStage and by the docker CLI, under the same wrk load. */
    private static String loadRow(Path root) {
        if (!ClientBench.wrkAvailable()) {
            return "load: wrk is not installed; no figure";
        }
        ClientBench.Target target = new ClientBench.Target("https://vw.example.com/", 200, 443);
        double ps;
        double cli;
        log("load: ProxyStage's prep stage");
        try (Stage stage = ProxyStage.pipeline(root.resolve("example-tests/pipeline.yml")).profile("offline").stage("prep").start()) {
            ClientBench.wrk(target, stage.nginx().mappedPorts(), 8, 3); // warm-up
            ps = ClientBench.wrk(target, stage.nginx().mappedPorts(), 8, 8).requestsPerSecond();
        }
        log("load: the docker CLI's prep stage");
        CliStage cliStage = new CliStage(root, "tracebench");
        String id = "tb" + Long.toHexString(System.nanoTime() & 0xffffff);
        RunningStage running = cliStage.up(id);
        try {
            ClientBench.wrk(target, running.ports(), 8, 3);
            cli = ClientBench.wrk(target, running.ports(), 8, 8).requestsPerSecond();
        } finally {
            running.down();
        }
        return "load (wrk, 8 connections, TLS, " + target.label() + "): ProxyStage " + fmt(ps) + " req/s, docker CLI "
                + fmt(cli) + " req/s, ratio " + String.format(Locale.ROOT, "%.2f", ps / cli) + " (goal ≥ 0.9)";
    }

    private static Path writeStage(Path dir, int size) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        StringBuilder conf = new StringBuilder();
        StringBuilder backends = new StringBuilder();
        for (int i = 0; i < size; i++) {
            conf.append("server {\n    listen 80;\n    server_name b").append(i).append(".bench.test;\n")
                    .append("    location / {\n        proxy_pass http://b").append(i).append(":80;\n    }\n}\n");
            backends.append("  b").append(i).append(":\n    image: echo\n    port: 80\n");
        }
        Files.writeString(confD.resolve("bench.conf"), conf, StandardCharsets.UTF_8);
        Path pipeline = dir.resolve("pipeline.yml");
        Files.writeString(pipeline, "stages:\n  bench: {}\n"
                + "nginx:\n  image: proxystage/nginx:offline\n  confDir: conf.d\n"
                + "echo:\n  image: proxystage/jre:17-offline\n"
                + "backends:\n" + backends, StandardCharsets.UTF_8);
        return pipeline;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.0f", value);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void log(String message) {
        System.err.println("[bench] trace: " + message);
    }
}
