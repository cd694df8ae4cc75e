package dev.proxystage.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/**
 * Rows 7–8: a stage of 1, 50 and 200 tiny backends ({@link ScaleTree}) brought up to the first 200 of every route
 * and torn down by ProxyStage, by Compose v2 with a compose file that does the same, and by the docker CLI in
 * parallel ({@code xargs -P}); beside them, the engine's own create+start throughput measured alone, the limit
 * any of them can reach on this machine. Cases interleave within a repetition, the order rotating.
 */
final class ScaleBench {

    /** The parallel docker CLI at these {@code xargs -P} values; the best of them is the baseline. */
    static final int[] CLI_PARALLELISM = {8, 32};
    /** Threads for the engine-alone measurement. */
    static final int ENGINE_THREADS = 16;

    /** Compose v2: $BENCH_COMPOSE (bench.sh sets it to trixie's docker-compose 2.x), else docker-compose on PATH. */
    static final String COMPOSE = System.getenv().getOrDefault("BENCH_COMPOSE", "docker-compose");

    /** The cases to run (--scale-cases); null: all. */
    static List<String> only;

    private final Path workDir;
    private final String benchValue;
    private final Consumer<String> log;
    private final Consumer<String> fail;
    private final boolean composeAvailable;
    private int counter;

    final Map<String, Series> start = new LinkedHashMap<>();
    final Map<String, Series> teardown = new LinkedHashMap<>();
    final Map<String, Series> ratios = new LinkedHashMap<>();
    final Map<Integer, String> memory = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    ScaleBench(Path workDir, String benchValue, Consumer<String> log, Consumer<String> fail) {
        this.workDir = workDir;
        this.benchValue = benchValue;
        this.log = log;
        this.fail = fail;
        String version = Shell.quiet(COMPOSE, "version", "--short");
        this.composeAvailable = !version.isEmpty();
        notes.add(composeAvailable ? "Compose " + version + " (" + COMPOSE + ")"
                : "Compose v2 is not there (" + COMPOSE + "; scripts/trixie-docker.sh compose provides it); no compose figures");
    }

    static String key(String kase, int n) {
        return kase + "|" + n;
    }

    private String nextId() {
        return benchValue + "s" + (++counter);
    }

    List<String> cases() {
        List<String> cases = new ArrayList<>(List.of("ps"));
        if (composeAvailable) {
            cases.add("compose");
        }
        for (int p : CLI_PARALLELISM) {
            cases.add("cli" + p);
        }
        cases.add("engine");
        if (only != null) {
            cases.retainAll(only);
        }
        return cases;
    }

    void run(int[] sizes, int reps) {
        List<String> cases = cases();
        log.accept("scale: warm-up (one discarded round at 1 backend)");
        ScaleTree warm = ScaleTree.write(workDir, 1, DockerCli.BENCH_LABEL, benchValue);
        for (String c : cases) {
            timeCase(c, warm, false);
        }
        for (int n : sizes) {
            ScaleTree tree = ScaleTree.write(workDir, n, DockerCli.BENCH_LABEL, benchValue);
            for (int r = 0; r < reps; r++) {
                log.accept("scale: " + n + " backends, repetition " + (r + 1) + "/" + reps);
                Map<String, double[]> round = new LinkedHashMap<>();
                for (int k = 0; k < cases.size(); k++) {
                    String c = cases.get((k + r) % cases.size());
                    double[] f = timeCase(c, tree, r == reps - 1);
                    if (f != null) {
                        start.computeIfAbsent(key(c, n), x -> new Series()).add(f[0]);
                        teardown.computeIfAbsent(key(c, n), x -> new Series()).add(f[1]);
                        round.put(c, f);
                    }
                }
                double[] ps = round.get("ps");
                double[] best = null;
                for (int p : CLI_PARALLELISM) {
                    double[] cli = round.get("cli" + p);
                    if (cli != null) {
                        best = best == null ? cli.clone() : new double[] {Math.min(best[0], cli[0]), Math.min(best[1], cli[1])};
                    }
                }
                if (ps != null && best != null) {
                    ratios.computeIfAbsent(key("start ps/cli", n), x -> new Series()).add(ps[0] / best[0]);
                    ratios.computeIfAbsent(key("down ps/cli", n), x -> new Series()).add(ps[1] / best[1]);
                }
                double[] compose = round.get("compose");
                if (ps != null && compose != null) {
                    ratios.computeIfAbsent(key("start ps/compose", n), x -> new Series()).add(ps[0] / compose[0]);
                    ratios.computeIfAbsent(key("down ps/compose", n), x -> new Series()).add(ps[1] / compose[1]);
                }
                DockerCli.sweep(ProcessHandle.current().pid(), benchValue);
            }
        }
    }

    /** {start ms, teardown ms}, or null when the case failed (and was cleaned up). */
    private double[] timeCase(String c, ScaleTree tree, boolean measureMemory) {
        try {
            return switch (c) {
                case "ps" -> proxyStage(tree, measureMemory);
                case "compose" -> compose(tree);
                case "engine" -> engineAlone(tree);
                default -> cli(tree, Integer.parseInt(c.substring(3)));
            };
        } catch (RuntimeException e) {
            fail.accept("scale " + c + " at " + tree.n + " backends: " + e);
            DockerCli.sweep(ProcessHandle.current().pid(), benchValue);
            return null;
        }
    }

    // ---- the cases --------------------------------------------------------------------------------------------

    private double[] proxyStage(ScaleTree tree, boolean measureMemory) {
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long heapBefore = usedHeapAfterGc();
        ManagementFactory.getThreadMXBean().resetPeakThreadCount();
        long t = System.nanoTime();
        Stage stage = ProxyStage.pipeline(tree.pipeline()).stage("prep").start();
        try {
            allRoutesOk(stage.nginx().mappedPorts().get(80), tree);
        } catch (RuntimeException e) {
            stage.close();
            throw e;
        }
        double up = (System.nanoTime() - t) / 1e6;
        if (measureMemory) {
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            int peak = ManagementFactory.getThreadMXBean().getPeakThreadCount();
            long heap = usedHeapAfterGc();
            List<String> names = new ArrayList<>();
            stage.backends().forEach(b -> names.add(b.containerName()));
            names.add(stage.nginx().containerName());
            double containers = containersMiB(names);
            memory.put(tree.n, String.format(Locale.ROOT,
                    "JVM heap after GC %.1f → %.1f MiB, JVM threads %d → %d, at most %d during the start (now: %s); containers %.0f MiB in all (%.1f MiB per container)",
                    heapBefore / 1048576.0, heap / 1048576.0, threadsBefore, threads, peak, threadGroups(), containers,
                    containers / names.size()));
        }
        t = System.nanoTime();
        stage.close();
        return new double[] {up, (System.nanoTime() - t) / 1e6};
    }

    private double[] compose(ScaleTree tree) {
        String project = nextId();
        List<String> base = List.of(COMPOSE, "-p", project, "-f", tree.compose().toString());
        long t = System.nanoTime();
        try {
            Shell.check(tree.dir, Map.of(), 600, concat(base, "up", "-d", "--quiet-pull"));
            String port = Shell.check(tree.dir, Map.of(), 60, concat(base, "port", "nginx", "80")).strip();
            allRoutesOk(Integer.parseInt(port.substring(port.lastIndexOf(':') + 1)), tree);
        } catch (RuntimeException e) {
            Shell.run(tree.dir, Map.of(), 600, concat(base, "down", "-v", "-t", "0"));
            throw e;
        }
        double up = (System.nanoTime() - t) / 1e6;
        t = System.nanoTime();
        Shell.check(tree.dir, Map.of(), 600, concat(base, "down", "-v", "-t", "0"));
        return new double[] {up, (System.nanoTime() - t) / 1e6};
    }

    private double[] cli(ScaleTree tree, int parallelism) {
        String id = nextId();
        Map<String, String> env = Map.of("ID", id, "P", Integer.toString(parallelism), "IMAGE", ScaleTree.IMAGE,
                "BCMD", ScaleTree.BACKEND_COMMAND.get(2), "LBL", DockerCli.BENCH_LABEL + "=" + benchValue,
                "NAMES", String.join("\n", tree.names), "CONFD", tree.confD().toString());
        // What a user's script would do: the backends with xargs -P, nginx at once (its upstreams resolve as soon
        // as the backends exist), then poll the routes; no health checks to wait for.
        String up = """
                set -e
                docker network create --label "$LBL" "net-$ID" >/dev/null
                printf '%s\\n' "$NAMES" | xargs -P "$P" -I@@ docker run -d --name "@@-$ID" --network "net-$ID" \\
                  --network-alias @@ --label "$LBL" "$IMAGE" sh -c "$BCMD" >/dev/null
                docker run -d --name "nginx-$ID" --network "net-$ID" --label "$LBL" -p 127.0.0.1::80 \\
                  -v "$CONFD:/etc/nginx/conf.d:ro" "$IMAGE" >/dev/null
                docker port "nginx-$ID" 80
                """;
        String down = """
                docker rm -f -v "nginx-$ID" >/dev/null
                docker ps -aq --filter "name=-$ID" | xargs -r -P "$P" docker rm -f -v >/dev/null
                # A force-removed container's endpoint can outlive its removal for a moment under load.
                for _ in $(seq 1 40); do docker network rm "net-$ID" >/dev/null 2>&1 && exit 0; sleep 0.25; done
                docker network rm "net-$ID" >/dev/null
                """;
        long t = System.nanoTime();
        try {
            String port = Shell.check(tree.dir, env, 600, List.of("sh", "-c", up)).strip().lines().findFirst().orElse("");
            allRoutesOk(Integer.parseInt(port.substring(port.lastIndexOf(':') + 1)), tree);
        } catch (RuntimeException e) {
            Shell.run(tree.dir, env, 600, List.of("sh", "-c", down));
            throw e;
        }
        double upMs = (System.nanoTime() - t) / 1e6;
        t = System.nanoTime();
        Shell.check(tree.dir, env, 600, List.of("sh", "-c", down));
        return new double[] {upMs, (System.nanoTime() - t) / 1e6};
    }

    /**
     * The limit: the same containers created and started on one network through the engine's API from
     * {@value #ENGINE_THREADS} threads, nothing else (no nginx, no health, no routes), then removed by force.
     */
    private double[] engineAlone(ScaleTree tree) {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = nextId();
        Map<String, String> labels = Map.of(DockerCli.BENCH_LABEL, benchValue);
        ExecutorService pool = Executors.newFixedThreadPool(ENGINE_THREADS);
        List<String> created = Collections.synchronizedList(new ArrayList<>());
        String network = null;
        try {
            long t = System.nanoTime();
            network = docker.createNetworkCmd().withName("net-" + id).withLabels(labels).exec().getId();
            String net = network;
            CompletableFuture.allOf(tree.names.stream().map(name -> CompletableFuture.runAsync(() -> {
                String cid = docker.createContainerCmd(ScaleTree.IMAGE).withName(name + "-" + id).withLabels(labels)
                        .withCmd(ScaleTree.BACKEND_COMMAND).withAliases(name)
                        .withHostConfig(HostConfig.newHostConfig().withNetworkMode(net)).exec().getId();
                created.add(cid);
                docker.startContainerCmd(cid).exec();
            }, pool)).toArray(CompletableFuture[]::new)).join();
            double up = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            removeAll(docker, created, pool);
            removeNetwork(docker, network);
            network = null;
            return new double[] {up, (System.nanoTime() - t) / 1e6};
        } finally {
            if (network != null) {
                removeAll(docker, created, pool);
                try {
                    docker.removeNetworkCmd(network).exec();
                } catch (RuntimeException ignored) {
                    // the final sweep gets it
                }
            }
            pool.shutdownNow();
        }
    }

    /** Removes the network, retrying while the engine still lists endpoints of containers it has just removed. */
    private static void removeNetwork(DockerClient docker, String network) {
        for (int attempt = 0; ; attempt++) {
            try {
                docker.removeNetworkCmd(network).exec();
                return;
            } catch (DockerException e) {
                if (attempt >= 40 || !String.valueOf(e.getMessage()).contains("active endpoints")) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void removeAll(DockerClient docker, List<String> ids, ExecutorService pool) {
        CompletableFuture.allOf(new ArrayList<>(ids).stream().map(cid -> CompletableFuture.runAsync(() -> {
            try {
                docker.removeContainerCmd(cid).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException gone) {
                // already gone: the goal is reached
            }
        }, pool)).toArray(CompletableFuture[]::new)).join();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** Polls every route through nginx on 127.0.0.1:port until each has answered 200 once. */
    static void allRoutesOk(int port, ScaleTree tree) {
        long deadline = System.nanoTime() + 180_000_000_000L;
        for (String name : tree.names) {
            String last = "";
            while (true) {
                try {
                    int status = get(port, ScaleTree.host(name));
                    if (status == 200) {
                        break;
                    }
                    last = "status " + status;
                } catch (Exception e) {
                    last = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("route " + ScaleTree.host(name) + " gave no 200 within 180 s (last: " + last + ")");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            }
        }
    }

    private static int get(int port, String host) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    /** Thread names (digits folded) held by more than one live thread, largest first: the pool that grows, if one does. */
    static String threadGroups() {
        Map<String, Integer> groups = new TreeMap<>();
        Thread.getAllStackTraces().keySet().forEach(t -> groups.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum));
        String repeated = groups.entrySet().stream().filter(e -> e.getValue() > 1)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(6)
                .map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "));
        return repeated.isEmpty() ? "no thread name repeats" : repeated;
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The containers' memory as {@code docker stats} reports it, in MiB. */
    private static double containersMiB(List<String> names) {
        List<String> command = new ArrayList<>(List.of("docker", "stats", "--no-stream", "--format", "{{.MemUsage}}"));
        command.addAll(names);
        String out = Shell.check(null, Map.of(), 120, command);
        double total = 0;
        for (String line : out.lines().toList()) {
            String used = line.split("/")[0].strip();
            double value = Double.parseDouble(used.replaceAll("[^0-9.]", ""));
            total += used.endsWith("GiB") ? value * 1024 : used.endsWith("KiB") ? value / 1024 : used.endsWith("MiB") ? value : value / 1048576;
        }
        return total;
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
