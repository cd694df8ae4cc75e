package dev.proxystage.bench;

import dev.proxystage.StageClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Case 5: the cost of the client. The same GET through the same stage's nginx, sent by ProxyStage's
 * {@link StageClient}, by a plain OkHttp client straight to the published port, and by wrk. Two targets: the URL a
 * test starts from ({@code http://vw.example.com/}, which the example conf.d answers in nginx itself with a redirect
 * to https) and the URL that answers 200 from the echo backend (https://vw.example.com/ with the example conf.d).
 */
final class ClientBench {

    /** One measured run: throughput and latency percentiles (per request, in ms). */
    record Run(double requestsPerSecond, double p50, double p99, int errors, double cpuMicrosPerRequest) {
    }

    /** Something that sends one GET and reads the whole answer; returns the status. */
    interface Caller {
        int call() throws IOException;
    }

    /** A URL as a test writes it, the status it answers, and the container port it goes to. */
    record Target(String url, int status, int containerPort) {
        String label() {
            return "GET " + url + " → " + status;
        }
    }

    private final StageClient stageClient;
    private final Map<Integer, Integer> ports;
    private final OkHttpClient plain;

    ClientBench(StageClient stageClient, Map<Integer, Integer> ports) {
        this.stageClient = stageClient;
        this.ports = Map.copyOf(ports);
        OkHttpClient routed = stageClient.okHttp();
        // A plain client: OkHttp's defaults, the same timeouts and trust, no socket factory and no DNS of its own.
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(30));
        if (routed.x509TrustManager() != null) {
            builder.sslSocketFactory(routed.sslSocketFactory(), routed.x509TrustManager());
        }
        this.plain = builder.build();
    }

    Target target(String url) {
        int status = stageClient.get(url).status();
        HttpUrl u = HttpUrl.get(url);
        return new Target(url, status, u.port());
    }

    Caller stageClient(Target target) {
        return () -> stageClient.get(target.url()).status();
    }

    /** The injectable {@code OkHttpClient} (StageClient.okHttp()): the same routing and tagging, no ProxyResponse. */
    Caller stageOkHttp(Target target) {
        Request request = new Request.Builder().url(target.url()).build();
        OkHttpClient http = stageClient.okHttp();
        return () -> {
            try (Response response = http.newCall(request).execute()) {
                response.body().string();
                return response.code();
            }
        };
    }

    /**
     * Plain OkHttp to the published port. Over http: {@code http://127.0.0.1:PORT/} with a {@code Host} header. Over
     * https the certificate must match, so the URL keeps the name with the published port
     * ({@code https://vw.example.com:PORT/}) and only that name is resolved to 127.0.0.1.
     */
    Caller plainOkHttp(Target target) {
        HttpUrl u = HttpUrl.get(target.url());
        int mapped = ports.get(target.containerPort());
        Request request;
        OkHttpClient client = plain;
        if (u.isHttps()) {
            String name = u.host();
            client = plain.newBuilder().dns(host -> host.equals(name)
                    ? List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}))
                    : Dns.SYSTEM.lookup(host)).build();
            request = new Request.Builder().url(u.newBuilder().port(mapped).build()).build();
        } else {
            request = new Request.Builder().url(u.newBuilder().host("127.0.0.1").port(mapped).build())
                    .header("Host", u.host()).build();
        }
        OkHttpClient http = client;
        return () -> {
            try (Response response = http.newCall(request).execute()) {
                response.body().string();
                return response.code();
            }
        };
    }

    /**
     * {@code total} requests per caller from {@code callers} threads each, interleaved: the callers take turns in
     * batches of {@code total / rounds} requests (the order flips every round), so that the noise of a shared machine
     * falls on all of them alike. Returns one {@link Run} per caller, in the order given.
     */
    static List<Run> interleaved(List<Caller> clients, int expected, int total, int callers, int rounds) throws Exception {
        int batch = total / rounds;
        int n = clients.size();
        long[][] latencies = new long[n][batch * rounds];
        int[] filled = new int[n];
        double[] seconds = new double[n];
        long[] cpu = new long[n];
        int[] errors = new int[n];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < n; k++) {
                int i = round % 2 == 0 ? k : n - 1 - k;
                Batch b = batch(clients.get(i), expected, batch, callers);
                System.arraycopy(b.latencies, 0, latencies[i], filled[i], b.latencies.length);
                filled[i] += b.latencies.length;
                seconds[i] += b.seconds;
                cpu[i] += b.cpuNanos;
                errors[i] += b.errors;
            }
        }
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(new Run(filled[i] / seconds[i], Series.percentileMillis(latencies[i], filled[i], 50),
                    Series.percentileMillis(latencies[i], filled[i], 99), errors[i], cpu[i] / 1e3 / filled[i]));
        }
        return runs;
    }

    /** One measured run of one caller alone. */
    static Run measure(Caller caller, int expected, int total, int callers) throws Exception {
        return interleaved(List.of(caller), expected, total, callers, 1).get(0);
    }

    private record Batch(long[] latencies, double seconds, long cpuNanos, int errors) {
    }

    /** {@code total} requests from {@code callers} threads (total / callers each), all started together. */
    private static Batch batch(Caller caller, int expected, int total, int callers) throws Exception {
        int each = total / callers;
        long[][] latencies = new long[callers][each];
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        AtomicLong cpuNanos = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                long[] mine = latencies[c];
                futures.add(pool.submit(() -> {
                    go.await();
                    long cpuStart = cpu.getCurrentThreadCpuTime();
                    for (int i = 0; i < each; i++) {
                        long t = System.nanoTime();
                        try {
                            if (caller.call() != expected) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException | RuntimeException e) {
                            errors.incrementAndGet();
                        }
                        mine[i] = System.nanoTime() - t;
                    }
                    cpuNanos.addAndGet(cpu.getCurrentThreadCpuTime() - cpuStart);
                    return null;
                }));
            }
            long started = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long[] all = new long[callers * each];
            for (int c = 0; c < callers; c++) {
                System.arraycopy(latencies[c], 0, all, c * each, each);
            }
            return new Batch(all, seconds, cpuNanos.get(), errors.get());
        } finally {
            pool.shutdownNow();
        }
    }

    static boolean wrkAvailable() {
        return !Shell.quiet("sh", "-c", "command -v wrk").isEmpty();
    }

    /**
     * wrk for {@code seconds} against the published port with a Host header (over https without SNI, so nginx
     * presents its default server's certificate, which wrk does not check): one thread and one connection, or two
     * threads and {@code connections} connections.
     */
    Run wrk(Target target, int connections, int seconds) {
        return wrk(target, ports, connections, seconds);
    }

    /** The same, against another stage's published ports (the docker CLI's stage, for comparison). */
    static Run wrk(Target target, Map<Integer, Integer> ports, int connections, int seconds) {
        HttpUrl u = HttpUrl.get(target.url());
        String url = (u.isHttps() ? "https" : "http") + "://127.0.0.1:" + ports.get(target.containerPort()) + u.encodedPath();
        int threads = Math.min(2, connections);
        String out = Shell.check(null, Map.of(), seconds + 30L, List.of("wrk", "-t" + threads, "-c" + connections,
                "-d" + seconds + "s", "--latency", "-H", "Host: " + u.host(), url));
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        double p50 = millis(find(out, "\\s50%\\s+([0-9.]+[a-z]+)"));
        double p99 = millis(find(out, "\\s99%\\s+([0-9.]+[a-z]+)"));
        String non2xx = optional(out, "Non-2xx or 3xx responses:\\s+(\\d+)");
        String socketErrors = optional(out, "Socket errors: (.*)");
        int errors = non2xx.isEmpty() ? 0 : Integer.parseInt(non2xx);
        if (!socketErrors.isEmpty()) {
            errors += 1;
        }
        return new Run(rps, p50, p99, errors, Double.NaN);
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("unexpected wrk output, no " + regex + ":\n" + text);
        }
        return m.group(1);
    }

    private static String optional(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "";
    }

    /** wrk's units: us, ms, s, m. */
    static double millis(String value) {
        Matcher m = Pattern.compile("([0-9.]+)([a-z]+)").matcher(value);
        if (!m.matches()) {
            throw new IllegalStateException("unexpected wrk latency " + value);
        }
        double n = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> n / 1000;
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> throw new IllegalStateException("unexpected wrk unit " + value);
        };
    }
}
