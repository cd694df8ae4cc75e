package dev.proxystage.bench;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Statistics;
import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;

/**
 * What the fault proxy costs on the healthy path, beside the floor of any proxy in its place: one stage with four
 * identical echo backends behind server blocks of their own, one reached directly, one through nginx's stream module
 * as a plain TCP forwarder written in C (its own container on the stage network, holding the backend's alias and
 * forwarding to it, where the fault proxy stands), one through the least a Java forwarder does
 * ({@link BareForwarder}, in the fault proxy's image with its JVM flags), and one with the fault proxy in its path
 * ({@code faults: true}), measured side by side in the same run. Per request: the median latency through nginx, in interleaved rounds, so
 * that the machine's load falls on all alike. Under load: wrk's requests/s against each (8 connections, in turn),
 * twice: as nginx proxies by default, with a new upstream connection per request (HTTP/1.0), so that every request
 * pays the forwarder's accept and its own connect to the backend; and with upstream keepalive
 * ({@code keepalive 16}, HTTP/1.1), the forwarder's data path alone. Every new upstream connection leaves a port of
 * nginx (and of the forwarder) in TIME_WAIT for a minute, so the runs without keepalive are short and come after a
 * minute's pause. The C forwarder's image (the offline nginx image with Debian's libnginx-mod-stream,
 * scripts/images/nginx-stream) is built by scripts/bench.sh.
 *
 * <pre>bash scripts/bench.sh faults [--requests N] [--rounds N] [--seconds N]</pre>
 */
public final class FaultProxyBench {

    private FaultProxyBench() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 500;
        int rounds = 6;
        int seconds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> i++; // the stage is written to a temporary directory; accepted as the others are
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (known: --root DIR, --requests N, --rounds N, --seconds N)");
            }
        }
        String loadBefore = loadAverage();
        Path dir = Files.createTempDirectory("proxystage-faultbench-");
        List<String> rows = new ArrayList<>();
        try (Stage stage = ProxyStage.pipeline(writeStage(dir)).stage("bench").start()) {
            StageClient client = stage.client();
            List<String> urls = CASES.stream().map(c -> "http://" + c + ".bench.test/").toList();
            for (int i = 0; i < 300; i++) { // warm-up: the client, nginx, the echo JVMs, the forwarder and the proxy's JIT
                for (String url : urls) {
                    check(client, url);
                }
            }
            List<List<Double>> ms = CASES.stream().<List<Double>>map(c -> new ArrayList<>()).toList();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < requests; i++) {
                    // each in turn, starting with another each time, so that none always follows the same one
                    for (int k = 0; k < CASES.size(); k++) {
                        int c = (i + round + k) % CASES.size();
                        ms.get(c).add(timed(client, urls.get(c)));
                    }
                }
                log("latency round " + (round + 1) + "/" + rounds + ": medians so far " + medians(ms));
            }
            rows.add("| | no proxy | C forwarder (nginx stream) | bare Java forwarder | fault proxy (Java) | goal |");
            rows.add("| --- | --- | --- | --- | --- | --- |");
            rows.add("| latency per request, median (" + ms.get(0).size() + " requests each, interleaved) | "
                    + added(ms, 50) + " | ≤ 0.2 ms added |");
            rows.add("| latency per request, p90 | " + added(ms, 90) + " | |");
            rows.add("| latency per request, median of each round's median | " + roundMedians(ms, rounds, requests) + " | |");

            if (ClientBench.wrkAvailable()) {
                Map<Integer, Integer> ports = stage.nginx().mappedPorts();
                log("a minute's pause: the ports the requests above left in TIME_WAIT come free");
                Thread.sleep(61_000);
                rows.addAll(wrkRows("new upstream connection per request", urls, ports, 2, 3, null));
                String nginx = stage.nginx().containerName();
                String proxied = stage.backend("proxied").orElseThrow().containerName();
                List<List<String>> containers = List.of(List.of(nginx, container(stage, "plain")),
                        List.of(nginx, container(stage, "forwarded-origin"), container(stage, "forwarded")),
                        List.of(nginx, container(stage, "bare-origin"), container(stage, "bare")),
                        List.of(nginx, proxied, proxied + "-faults"));
                rows.addAll(wrkRows("upstream keepalive", CASES.stream().map(c -> "http://" + c + "-ka.bench.test/").toList(),
                        ports, 3, seconds, containers));
            } else {
                rows.add("| throughput | wrk is not installed; no figure | | | | |");
            }
        } finally {
            deleteTree(dir);
        }
        rows.add("");
        rows.add("Load average (1, 5, 15 min) before: " + loadBefore + "; after: " + loadAverage() + "; "
                + Runtime.getRuntime().availableProcessors() + " cores.");
        System.out.println(String.join("\n", rows));
    }

    /**
     * The server names' first labels and the backends reached: no proxy, the C forwarder, the bare Java forwarder, the
     * fault proxy.
     */
    private static final List<String> CASES = List.of("plain", "forwarded", "bare", "proxied");

    private static String medians(List<List<Double>> ms) {
        return ms.stream().map(l -> fmt(median(l))).collect(Collectors.joining(" / ")) + " ms";
    }

    /** Each case's percentile, and after the first, what it adds to the first. */
    private static String added(List<List<Double>> ms, int percent) {
        double none = percentile(ms.get(0), percent);
        List<String> cells = new ArrayList<>(List.of(fmt(none) + " ms"));
        for (List<Double> values : ms.subList(1, ms.size())) {
            double p = percentile(values, percent);
            cells.add(fmt(p) + " ms (" + sign(p - none) + ")");
        }
        return String.join(" | ", cells);
    }

    private static String container(Stage stage, String backend) {
        return stage.backend(backend).orElseThrow().containerName();
    }

    /** Each round's median, and the median and spread of those: how much the load moved the figures. */
    private static String roundMedians(List<List<Double>> ms, int rounds, int requests) {
        List<String> cells = new ArrayList<>();
        for (List<Double> values : ms) {
            List<Double> perRound = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                perRound.add(median(values.subList(round * requests, (round + 1) * requests)));
            }
            cells.add(fmt(median(perRound)) + " ms (" + fmt(perRound.stream().mapToDouble(d -> d).min().orElse(0)) + "–"
                    + fmt(perRound.stream().mapToDouble(d -> d).max().orElse(0)) + ")");
        }
        return String.join(" | ", cells);
    }

    /** A container's CPU time so far, in microseconds (its cgroup's, as the engine reports it). */
    private static long cpuMicros(String container) {
        var docker = DockerClientFactory.instance().client();
        AtomicLong nanos = new AtomicLong(-1);
        var callback = new ResultCallback.Adapter<Statistics>() {
            @Override
            public void onNext(Statistics stats) {
                Long total = stats.getCpuStats() == null || stats.getCpuStats().getCpuUsage() == null ? null
                        : stats.getCpuStats().getCpuUsage().getTotalUsage();
                if (total != null) {
                    nanos.set(total);
                }
            }
        };
        try (callback) {
            docker.statsCmd(container).withNoStream(true).exec(callback).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the figure is what arrived
        }
        return nanos.get() / 1000;
    }

    /**
     * wrk against each in turn, {@code rounds} runs of {@code seconds} after a second's warm-up; two rows, and with
     * {@code cpu} (each case's containers: nginx, the echo backend, then the forwarder if any), a third: the
     * containers' CPU per request during the runs.
     */
    private static List<String> wrkRows(String how, List<String> urls, Map<Integer, Integer> ports, int rounds,
                                        int seconds, List<List<String>> cpu) {
        List<ClientBench.Target> targets = urls.stream().map(u -> new ClientBench.Target(u, 200, 80)).toList();
        targets.forEach(t -> ClientBench.wrk(t, ports, 8, 1));
        List<List<ClientBench.Run>> runs = targets.stream().<List<ClientBench.Run>>map(t -> new ArrayList<>()).toList();
        long[][] cpuMicros = new long[targets.size()][3];
        double[] requests = new double[targets.size()];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < targets.size(); k++) {
                int c = (round + k) % targets.size();
                long[] before = cpu == null ? null : cpu.get(c).stream().mapToLong(FaultProxyBench::cpuMicros).toArray();
                ClientBench.Run run = ClientBench.wrk(targets.get(c), ports, 8, seconds);
                runs.get(c).add(run);
                if (cpu != null) {
                    for (int i = 0; i < before.length; i++) {
                        cpuMicros[c][i] += cpuMicros(cpu.get(c).get(i)) - before[i];
                    }
                    requests[c] += run.requestsPerSecond() * seconds;
                }
            }
            int r = round;
            log("wrk, " + how + ", round " + (round + 1) + "/" + rounds + ": " + runs.stream()
                    .map(l -> fmt(l.get(r).requestsPerSecond())).collect(Collectors.joining(" / ")) + " req/s");
        }
        List<Double> rps = runs.stream().map(l -> median(l.stream().map(ClientBench.Run::requestsPerSecond).toList())).toList();
        List<Double> p50 = runs.stream().map(l -> median(l.stream().map(ClientBench.Run::p50).toList())).toList();
        int errors = runs.stream().flatMap(List::stream).mapToInt(ClientBench.Run::errors).sum();
        List<String> rows = new ArrayList<>();
        rows.add("| throughput, " + how + " (wrk, 8 connections, " + seconds + " s × " + rounds + " each, median) | "
                + fmt(rps.get(0)) + " req/s | " + rps.subList(1, rps.size()).stream()
                .map(r -> fmt(r) + " req/s (" + times(r / rps.get(0)) + ")").collect(Collectors.joining(" | "))
                + " | ≥ 0.9× |");
        rows.add("| single runs (req/s) | " + runs.stream().map(l -> l.stream().map(x -> fmt(x.requestsPerSecond()))
                .collect(Collectors.joining(", "))).collect(Collectors.joining(" | ")) + " | |");
        rows.add("| latency under that load (wrk p50) | " + fmt(p50.get(0)) + " ms | " + p50.subList(1, p50.size()).stream()
                .map(p -> fmt(p) + " ms (" + sign(p - p50.get(0)) + ")").collect(Collectors.joining(" | ")) + " |"
                + (errors == 0 ? " |" : " " + errors + " wrk runs with errors |"));
        if (cpu != null && Arrays.stream(requests).allMatch(n -> n > 0)) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < targets.size(); c++) {
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < cpu.get(c).size(); i++) {
                    parts.add(String.format(Locale.ROOT, "%.0f", cpuMicros[c][i] / requests[c]));
                }
                cells.add(String.join(" + ", parts) + " µs");
            }
            rows.add("| containers' CPU per request under that load (nginx + backend [+ forwarder]) | "
                    + String.join(" | ", cells) + " | |");
        }
        return rows;
    }

    private static String times(double ratio) {
        return String.format(Locale.ROOT, "%.2f×", ratio);
    }

    /**
     * Four echo backends alike, each behind server blocks of its own: plain (reached directly), forwarded-origin
     * (reached through the C forwarder, which holds the alias forwarded), bare-origin (through the bare Java
     * forwarder, alias bare) and proxied (through the fault proxy).
     */
    private static Path writeStage(Path dir) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        StringBuilder conf = new StringBuilder();
        for (String c : CASES) {
            conf.append("""
                    server {
                        listen 80;
                        server_name %1$s.bench.test;
                        location / {
                            proxy_pass http://%1$s:80;
                        }
                    }

                    upstream %1$s_ka {
                        server %1$s:80;
                        keepalive 16;
                    }

                    server {
                        listen 80;
                        server_name %1$s-ka.bench.test;
                        location / {
                            proxy_pass http://%1$s_ka;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }

                    """.formatted(c));
        }
        Files.writeString(confD.resolve("bench.conf"), conf, StandardCharsets.UTF_8);
        Path pipeline = dir.resolve("pipeline.yml");
        // The forwarder: nginx's stream module, one server that takes every connection on port 80 and opens one to
        // the backend (resolved once, at start: it waits until Docker's DNS knows the backend's name).
        Files.writeString(pipeline, """
                stages:
                  bench: {}
                nginx:
                  image: proxystage/nginx:offline
                  confDir: conf.d
                echo:
                  image: proxystage/jre:17-offline
                backends:
                  plain:
                    image: echo
                  forwarded-origin:
                    image: echo
                  forwarded:
                    image: %s
                    command:
                      - sh
                      - -c
                      - until getent hosts forwarded-origin >/dev/null; do sleep 0.1; done; printf 'load_module /usr/lib/nginx/modules/ngx_stream_module.so;\\nworker_processes auto;\\npid /tmp/forward.pid;\\nerror_log stderr warn;\\nevents { worker_connections 1024; }\\nstream { server { listen 80; proxy_pass forwarded-origin:80; } }\\n' > /tmp/forward.conf && exec nginx -c /tmp/forward.conf -g 'daemon off;'
                  bare-origin:
                    image: echo
                  bare:
                    image: proxystage/jre:17-offline
                    command:
                      - sh
                      - -c
                      - %s
                  proxied:
                    image: echo
                    faults: true
                """.formatted(FORWARDER_IMAGE, bareForwarderCommand()), StandardCharsets.UTF_8);
        return pipeline;
    }

    /**
     * The bare Java forwarder's start: its class file, carried in the command, and the fault proxy's JVM flags
     * (FaultProxyShipping.COMMAND), so that only the code differs.
     */
    private static String bareForwarderCommand() throws IOException {
        byte[] bytes;
        try (var in = BareForwarder.class.getResourceAsStream("BareForwarder.class")) {
            bytes = in.readAllBytes();
        }
        String dir = "/tmp/bare/dev/proxystage/bench";
        return "mkdir -p " + dir + " && echo " + Base64.getEncoder().encodeToString(bytes) + " | base64 -d > " + dir
                + "/BareForwarder.class && exec java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp /tmp/bare "
                + BareForwarder.class.getName() + " bare-origin 80 80";
    }

    /** Built by scripts/bench.sh from scripts/images/nginx-stream. */
    private static final String FORWARDER_IMAGE = "proxystage/nginx-stream:bench";

    private static void check(StageClient client, String url) {
        int status = client.get(url).status();
        if (status != 200) {
            throw new IllegalStateException(url + " answered " + status);
        }
    }

    private static double timed(StageClient client, String url) {
        long started = System.nanoTime();
        check(client, url);
        return (System.nanoTime() - started) / 1e6;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double median(List<Double> values) {
        return percentile(values, 50);
    }

    private static double percentile(List<Double> values, int percent) {
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.3f" : "%.0f", value);
    }

    private static String sign(double value) {
        return (value >= 0 ? "+" : "−") + fmt(Math.abs(value));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void log(String message) {
        System.err.println("[bench] faults: " + message);
    }
}
