package dev.proxystage.bench;

import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import dev.proxystage.internal.coverage.ConfCoverage;
import dev.proxystage.internal.coverage.CoverageReport;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.nginx.Location;
import dev.proxystage.internal.nginx.ServerBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What conf.d coverage costs on the example's prep stage, side by side in one run: a request through the stage
 * (median), the work coverage does for one request (median, on the thread that receives traces, not the test's),
 * their ratio, and what reading the coverage and writing coverage.json costs once per run. Run alone, it replaces
 * its section of the generated tables in docs/benchmarks.md ({@code --no-write}: print only).
 *
 * <pre>bash scripts/bench.sh coverage [--requests 500]</pre>
 */
public final class CoverageBench {

    private CoverageBench() {
    }

    /** One run's figures, in ms. */
    record Result(String measured, int locations, long requests, double request, double coverage, double perRun) {

        boolean perRequestMet() {
            return coverage <= 1;
        }

        boolean perRunMet() {
            return perRun <= 1000;
        }

        /** Its section of the generated tables. */
        String section() {
            return "### 9. conf.d coverage (`bash scripts/bench.sh coverage`)\n\n" + measured + "\n\n"
                    + "| stage | request through the stage, median | coverage per request, median | ratio"
                    + " | coverage.json per run | goal |\n| --- | --- | --- | --- | --- | --- |\n"
                    + String.format(Locale.ROOT, "| example prep (%d locations, %d requests) | %.2f ms | %.3f ms | %.1f%% |"
                            + " %.1f ms | ≤ 1 ms per request %s, ≤ 1 s per run %s |", locations, requests, request, coverage,
                    100 * coverage / request, perRun, perRequestMet() ? "✓" : "✗", perRunMet() ? "✓" : "✗") + "\n";
        }
    }

    public static void main(String[] args) throws Exception {
        EvidenceSections.runAlone(args, "coverage", "--requests", 500, (root, n) -> measure(root, n).section());
    }

    /** Measures {@code requests} requests through the example's prep stage, and coverage beside them. */
    static Result measure(Path root, int requests) throws Exception {
        ZonedDateTime began = ZonedDateTime.now();
        String loadBefore = EvidenceSections.load();
        Path pipeline = root.resolve("example-tests/pipeline.yml");
        try (Stage stage = ProxyStage.pipeline(pipeline).profile("offline").stage("prep").start()) {
            StageInternals internals = StageInternals.of(stage);
            List<String> urls = urls(internals.nginxConfig().servers());
            for (int i = 0; i < 50; i++) { // warm-up: connection pool, JIT
                stage.client().get(urls.get(i % urls.size()));
            }
            List<Double> request = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                long t0 = System.nanoTime();
                stage.client().get(urls.get(i % urls.size()));
                request.add((System.nanoTime() - t0) / 1e6);
            }
            // The same requests counted again, alone: what coverage adds per request.
            ConfCoverage replay = new ConfCoverage(internals.nginxConfig());
            List<Double> counted = new ArrayList<>();
            for (int i = 0; i < requests + 50; i++) {
                long t0 = System.nanoTime();
                replay.count(new ConfCoverage.Sent("GET", urls.get(i % urls.size()), Map.of()), Optional.empty());
                if (i >= 50) {
                    counted.add((System.nanoTime() - t0) / 1e6);
                }
            }
            long t0 = System.nanoTime();
            ConfCoverage.Snapshot snapshot = internals.coverage().orElseThrow().snapshot();
            Path file = Files.createTempDirectory("proxystage-coveragebench-").resolve("coverage.json");
            new CoverageReport(root).add("prep", snapshot).write(file);
            double perRun = (System.nanoTime() - t0) / 1e6;
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
            double req = median(request);
            double cov = median(counted);
            return new Result(EvidenceSections.measured(began, loadBefore), snapshot.locations().size(),
                    snapshot.requests(), req, cov, perRun);
        }
    }

    /** One URL per prefix or exact location of each named server block, over http on its first port. */
    private static List<String> urls(List<ServerBlock> servers) {
        List<String> urls = new ArrayList<>();
        for (ServerBlock s : servers) {
            if (s.serverNames().isEmpty() || s.serverNames().get(0).startsWith("~") || s.listens().isEmpty()) {
                continue;
            }
            int port = s.listens().get(0).port();
            String scheme = s.listens().get(0).ssl() ? "https" : "http";
            String origin = scheme + "://" + s.serverNames().get(0).replace("*.", "www.")
                    + (port == 80 || port == 443 ? "" : ":" + port);
            urls.add(origin + "/");
            for (Location l : s.locations()) {
                if (l.pattern().startsWith("/") && l.modifier() != Location.Modifier.REGEX
                        && l.modifier() != Location.Modifier.REGEX_CASE_INSENSITIVE) {
                    urls.add(origin + l.pattern() + (l.pattern().endsWith("/") ? "x" : ""));
                }
            }
        }
        return urls;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
