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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.testcontainers.DockerClientFactory;

/**
 * What the fault proxy costs on the healthy path: one stage with two identical echo backends, one with the fault
 * proxy in its path ({@code faults: true}) and one without, each behind its own server block, measured side by side
 * in the same run. Per request: the median latency through nginx, in interleaved rounds, so that the machine's load
 * falls on both alike. Under load: wrk's requests/s against each (8 connections, alternating), twice: as nginx
 * proxies by default, with a new upstream connection per request (HTTP/1.0), so that every request pays the proxy's
 * accept and its own connect to the backend; and with upstream keepalive ({@code keepalive 16}, HTTP/1.1), the
 * proxy's data path alone. Every new upstream connection leaves a port of nginx (and of the proxy) in TIME_WAIT for
 * a minute, so the runs without keepalive are short and come after a minute's pause.
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
            String plain = "http://plain.bench.test/";
            String proxied = "http://proxied.bench.test/";
            for (int i = 0; i < 300; i++) { // warm-up: the client, nginx, both echo JVMs and the proxy's JIT
                check(client, plain);
                check(client, proxied);
            }
            List<Double> plainMs = new ArrayList<>();
            List<Double> proxiedMs = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < requests; i++) {
                    // alternating which goes first, so neither always follows the other
                    boolean plainFirst = (i + round) % 2 == 0;
                    if (plainFirst) {
                        plainMs.add(timed(client, plain));
                        proxiedMs.add(timed(client, proxied));
                    } else {
                        proxiedMs.add(timed(client, proxied));
                        plainMs.add(timed(client, plain));
                    }
                }
                log("latency round " + (round + 1) + "/" + rounds + ": without " + fmt(median(plainMs)) + " ms, with "
                        + fmt(median(proxiedMs)) + " ms (medians so far)");
            }
            double added = median(proxiedMs) - median(plainMs);
            rows.add("| | without the fault proxy | with it | difference | goal |");
            rows.add("| --- | --- | --- | --- | --- |");
            rows.add("| latency per request, median (" + plainMs.size() + " requests each, interleaved) | "
                    + fmt(median(plainMs)) + " ms | " + fmt(median(proxiedMs)) + " ms | " + sign(added) + " ms | ≤ 0.2 ms added |");
            rows.add("| latency per request, p90 | " + fmt(percentile(plainMs, 90)) + " ms | " + fmt(percentile(proxiedMs, 90))
                    + " ms | " + sign(percentile(proxiedMs, 90) - percentile(plainMs, 90)) + " ms | |");

            if (ClientBench.wrkAvailable()) {
                Map<Integer, Integer> ports = stage.nginx().mappedPorts();
                log("a minute's pause: the ports the requests above left in TIME_WAIT come free");
                Thread.sleep(61_000);
                rows.addAll(wrkRows("new upstream connection per request", plain, proxied, ports, 2, 3, null));
                rows.addAll(wrkRows("upstream keepalive", "http://plain-ka.bench.test/", "http://proxied-ka.bench.test/",
                        ports, 3, seconds, new Containers(stage.nginx().containerName(),
                                stage.backend("plain").orElseThrow().containerName(),
                                stage.backend("proxied").orElseThrow().containerName())));
            } else {
                rows.add("| throughput | wrk is not installed; no figure | | | |");
            }
        } finally {
            deleteTree(dir);
        }
        rows.add("");
        rows.add("Load average (1, 5, 15 min) before: " + loadBefore + "; after: " + loadAverage() + "; "
                + Runtime.getRuntime().availableProcessors() + " cores.");
        System.out.println(String.join("\n", rows));
    }

    /** The containers whose CPU a run's row splits: nginx, the backend without the proxy, the one with it. */
    private record Containers(String nginx, String plain, String proxied) {

        String proxy() {
            return proxied + "-faults";
        }
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
     * wrk against each, alternating, {@code rounds} runs of {@code seconds} after a second's warm-up; two rows, and
     * with {@code cpu}, a third: each container's CPU per request during the runs.
     */
    private static List<String> wrkRows(String how, String plain, String proxied, Map<Integer, Integer> ports, int rounds,
                                        int seconds, Containers cpu) {
        ClientBench.Target plainTarget = new ClientBench.Target(plain, 200, 80);
        ClientBench.Target proxiedTarget = new ClientBench.Target(proxied, 200, 80);
        ClientBench.wrk(plainTarget, ports, 8, 1);
        ClientBench.wrk(proxiedTarget, ports, 8, 1);
        List<ClientBench.Run> plainRuns = new ArrayList<>();
        List<ClientBench.Run> proxiedRuns = new ArrayList<>();
        // CPU microseconds per request, summed over the runs: nginx and the backend without the proxy; nginx, the
        // backend and its proxy with it
        long[] cpuPlain = new long[2];
        long[] cpuProxied = new long[3];
        double plainRequests = 0;
        double proxiedRequests = 0;
        for (int round = 0; round < rounds; round++) {
            long[] before = cpu == null ? null : new long[] {cpuMicros(cpu.nginx()), cpuMicros(cpu.plain())};
            plainRuns.add(ClientBench.wrk(plainTarget, ports, 8, seconds));
            if (cpu != null) {
                cpuPlain[0] += cpuMicros(cpu.nginx()) - before[0];
                cpuPlain[1] += cpuMicros(cpu.plain()) - before[1];
                plainRequests += plainRuns.get(round).requestsPerSecond() * seconds;
                before = new long[] {cpuMicros(cpu.nginx()), cpuMicros(cpu.proxied()), cpuMicros(cpu.proxy())};
            }
            proxiedRuns.add(ClientBench.wrk(proxiedTarget, ports, 8, seconds));
            if (cpu != null) {
                cpuProxied[0] += cpuMicros(cpu.nginx()) - before[0];
                cpuProxied[1] += cpuMicros(cpu.proxied()) - before[1];
                cpuProxied[2] += cpuMicros(cpu.proxy()) - before[2];
                proxiedRequests += proxiedRuns.get(round).requestsPerSecond() * seconds;
            }
            log("wrk, " + how + ", round " + (round + 1) + "/" + rounds + ": without "
                    + fmt(plainRuns.get(round).requestsPerSecond()) + " req/s, with "
                    + fmt(proxiedRuns.get(round).requestsPerSecond()) + " req/s");
        }
        double plainRps = median(plainRuns.stream().map(ClientBench.Run::requestsPerSecond).toList());
        double proxiedRps = median(proxiedRuns.stream().map(ClientBench.Run::requestsPerSecond).toList());
        double plainP50 = median(plainRuns.stream().map(ClientBench.Run::p50).toList());
        double proxiedP50 = median(proxiedRuns.stream().map(ClientBench.Run::p50).toList());
        int errors = plainRuns.stream().mapToInt(ClientBench.Run::errors).sum()
                + proxiedRuns.stream().mapToInt(ClientBench.Run::errors).sum();
        List<String> rows = new ArrayList<>(List.of("| throughput, " + how + " (wrk, 8 connections, " + seconds + " s × "
                        + rounds + " each, median) | " + fmt(plainRps) + " req/s | " + fmt(proxiedRps) + " req/s | "
                        + String.format(Locale.ROOT, "%.2f×", proxiedRps / plainRps) + " | ≥ 0.9× |",
                "| latency under that load (wrk p50) | " + fmt(plainP50) + " ms | " + fmt(proxiedP50) + " ms | "
                        + sign(proxiedP50 - plainP50) + " ms |" + (errors == 0 ? " |" : " " + errors + " wrk runs with errors |")));
        if (cpu != null && plainRequests > 0 && proxiedRequests > 0) {
            rows.add(String.format(Locale.ROOT, "| containers' CPU per request under that load (nginx + backend [+ proxy]) |"
                            + " %.0f + %.0f µs | %.0f + %.0f + %.0f µs | proxy's own: %.0f µs | |",
                    cpuPlain[0] / plainRequests, cpuPlain[1] / plainRequests, cpuProxied[0] / proxiedRequests,
                    cpuProxied[1] / proxiedRequests, cpuProxied[2] / proxiedRequests, cpuProxied[2] / proxiedRequests));
        }
        return rows;
    }

    /** Two echo backends alike but for the fault proxy, each behind server blocks of its own. */
    private static Path writeStage(Path dir) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("bench.conf"), """
                server {
                    listen 80;
                    server_name plain.bench.test;
                    location / {
                        proxy_pass http://plain:80;
                    }
                }

                server {
                    listen 80;
                    server_name proxied.bench.test;
                    location / {
                        proxy_pass http://proxied:80;
                    }
                }

                upstream plain_ka {
                    server plain:80;
                    keepalive 16;
                }

                upstream proxied_ka {
                    server proxied:80;
                    keepalive 16;
                }

                server {
                    listen 80;
                    server_name plain-ka.bench.test;
                    location / {
                        proxy_pass http://plain_ka;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }

                server {
                    listen 80;
                    server_name proxied-ka.bench.test;
                    location / {
                        proxy_pass http://proxied_ka;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
                """, StandardCharsets.UTF_8);
        Path pipeline = dir.resolve("pipeline.yml");
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
                  proxied:
                    image: echo
                    faults: true
                """, StandardCharsets.UTF_8);
        return pipeline;
    }

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
