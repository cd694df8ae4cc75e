package dev.proxystage.bench;

import dev.proxystage.Settings;
import dev.proxystage.Stage;
import dev.proxystage.internal.report.RunEvidence;
import dev.proxystage.internal.runtime.Pipeline;
import dev.proxystage.internal.runtime.RouteTableRun;
import dev.proxystage.internal.runtime.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What the report costs on the example: the example's route table on prep, each route checked with the run's
 * evidence recording and without it, alternating in one run (so both see the same machine); then the time to write
 * the run's report from everything recorded. Run alone, it replaces its section of the generated tables in
 * docs/benchmarks.md ({@code --no-write}: print only).
 *
 * <pre>bash scripts/bench.sh report [--rounds 100]</pre>
 */
public final class ReportBench {

    private ReportBench() {
    }

    /** One run's figures, in ms. */
    record Result(String measured, int rounds, int routes, int answers, double without, double with, double writeMs) {

        double added() {
            return with - without;
        }

        boolean perRequestMet() {
            return added() <= 1;
        }

        boolean perRunMet() {
            return writeMs <= 1000;
        }

        /** Its section of the generated tables. */
        String section() {
            return "### 10. The run's report (`bash scripts/bench.sh report`)\n\n" + measured + " " + rounds + " rounds of "
                    + routes + " routes after 20 warm-up rounds, recording on and off in alternation.\n\n"
                    + "| route check, median, without the report | with it | added per request | goal | report of "
                    + answers + " route answers written in | goal |\n| --- | --- | --- | --- | --- | --- |\n"
                    + String.format(Locale.ROOT, "| %.2f ms | %.2f ms | %.3f ms | ≤ 1 ms %s | %.0f ms | ≤ 1 s %s |",
                    without, with, added(), perRequestMet() ? "✓" : "✗", writeMs, perRunMet() ? "✓" : "✗") + "\n";
        }
    }

    public static void main(String[] args) throws Exception {
        EvidenceSections.runAlone(args, "report", "--rounds", 100, (root, n) -> measure(root, n).section());
    }

    /** {@code rounds} rounds of the example's route table on prep, recording on and off, then the report written. */
    static Result measure(Path root, int rounds) throws Exception {
        ZonedDateTime began = ZonedDateTime.now();
        String loadBefore = EvidenceSections.load();
        Path pipelineFile = root.resolve("example-tests/pipeline.yml");
        Settings settings = Settings.fromSystemProperties().toBuilder().config(pipelineFile).profile("offline").build();
        Pipeline pipeline = Pipeline.load(settings);
        RouteTableRun table = RouteTableRun.load(RouteTableRun.besidePipeline(pipelineFile), pipeline);
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        double writeMs;
        int answers;
        Path dir = Files.createTempDirectory("proxystage-reportbench-");
        try (Run run = Run.open(settings, line -> System.err.println("[bench] " + line));
             Stage prep = run.start(settings, "prep")) {
            List<RouteTableRun.Check> checks = table.checks("prep");
            for (int i = 0; i < 20; i++) { // warm-up: connection pool, JIT, the trace path
                checks.forEach(c -> c.check().accept(prep));
            }
            for (int round = 0; round < rounds; round++) {
                boolean recordFirst = round % 2 == 0;
                for (int pass = 0; pass < 2; pass++) {
                    boolean record = recordFirst == (pass == 0);
                    if (record) {
                        run.evidence().bind(prep, null);
                    } else {
                        RunEvidence.unbind(prep);
                    }
                    for (RouteTableRun.Check c : checks) {
                        long t = System.nanoTime();
                        c.check().accept(prep);
                        (record ? with : without).add((System.nanoTime() - t) / 1e6);
                    }
                }
            }
            answers = run.evidence().answers().size();
            long t = System.nanoTime();
            run.writeReport(dir);
            writeMs = (System.nanoTime() - t) / 1e6;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return new Result(EvidenceSections.measured(began, loadBefore), rounds, table.checks("prep").size(), answers,
                median(without), median(with), writeMs);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
