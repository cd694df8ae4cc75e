package dev.proxystage.bench;

import dev.proxystage.ProxyStage;
import dev.proxystage.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The teardown soak: {@code --rounds} stages of {@code --backends} tiny backends ({@link ScaleTree}), each started by
 * ProxyStage and closed, against the engine that DOCKER_HOST names, counting after every teardown the networks that
 * ProxyStage's labels still find. Each round closes one stage with each teardown order ({@code --orders}, default
 * today's {@code serial} and the earlier {@code force}), the order of the two rotating per round, so both are timed
 * in the same run on the same engine. It is not a test: it reports, and exits 0 unless nothing could be measured.
 *
 * <pre>java -cp … dev.proxystage.bench.SoakBench --root DIR [--rounds 50] [--backends 120] [--orders serial,force] [--engine NAME]
 *      [--work soak/NAME]</pre>
 * {@code --work} is the stage's directory under benchmarks/target, one per soak when two run at the same time.
 */
public final class SoakBench {

    private static final String ORDER_PROPERTY = "proxystage.internal.teardown";
    private static final String RUN_LABEL = "dev.proxystage.run";

    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".");
        int rounds = 50;
        int backends = 120;
        List<String> orders = List.of("serial", "force");
        String engine = "";
        String workDir = "soak";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--backends" -> backends = Integer.parseInt(args[++i]);
                case "--orders" -> orders = List.of(args[++i].split(","));
                case "--engine" -> engine = args[++i];
                case "--work" -> workDir = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--rounds N, --backends N, --orders serial,force, --engine NAME, --work DIR)");
            }
        }
        String version = Shell.quiet("docker", "version", "--format", "{{.Server.Version}}").strip();
        String label = engine.isEmpty() ? "Docker " + version : engine + " (Docker " + version + ")";
        Path work = Files.createDirectories(root.resolve("benchmarks/target").resolve(workDir));
        ScaleTree tree = ScaleTree.write(work, backends, DockerCli.BENCH_LABEL, "soak" + ProcessHandle.current().pid());

        Map<String, Series> teardown = new LinkedHashMap<>();
        Map<String, Series> start = new LinkedHashMap<>();
        Map<String, Integer> left = new LinkedHashMap<>();
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (String order : orders) {
            teardown.put(order, new Series());
            start.put(order, new Series());
            left.put(order, 0);
            problems.put(order, new ArrayList<>());
        }
        log("soak on " + label + ": " + rounds + " rounds of a " + backends + "-backend stage, teardown orders " + orders);
        int before = networks().size();
        if (before > 0) {
            log("note: " + before + " ProxyStage network(s) were on the engine before the soak; counted apart");
        }
        long began = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < orders.size(); k++) {
                String order = orders.get((k + r) % orders.size());
                System.setProperty(ORDER_PROPERTY, order);
                List<String> networksBefore = networks();
                long t = System.nanoTime();
                Stage stage;
                try {
                    stage = ProxyStage.pipeline(tree.pipeline()).stage("prep").start();
                } catch (RuntimeException e) {
                    problems.get(order).add("round " + (r + 1) + " start: " + firstLine(e));
                    log("round " + (r + 1) + " " + order + ": the start failed: " + firstLine(e));
                    continue;
                }
                double up = (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                stage.close();
                double down = (System.nanoTime() - t) / 1e6;
                List<String> after = networks();
                after.removeAll(networksBefore);
                start.get(order).add(up);
                teardown.get(order).add(down);
                left.merge(order, after.size(), Integer::sum);
                if (!after.isEmpty()) {
                    problems.get(order).add("round " + (r + 1) + ": left " + String.join(", ", after));
                }
                log(String.format(Locale.ROOT, "round %d/%d %s: start %.1f s, teardown %.0f ms, networks left %d",
                        r + 1, rounds, order, up / 1000, down, after.size()));
            }
        }
        double minutes = (System.nanoTime() - began) / 6e10;

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n### Teardown soak on %s: %d rounds of %d backends (%.0f min)%n%n",
                label, rounds, backends, minutes));
        out.append("| teardown order | stages | teardown, median (min–max) | start, median | networks left |\n");
        out.append("|---|---|---|---|---|\n");
        for (String order : orders) {
            Series d = teardown.get(order);
            Series s = start.get(order);
            out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d |%n", describe(order), d.size(),
                    d.size() == 0 ? "–" : String.format(Locale.ROOT, "%.2f s (%.2f–%.2f s)", d.median() / 1000, d.min() / 1000, d.max() / 1000),
                    s.size() == 0 ? "–" : String.format(Locale.ROOT, "%.1f s", s.median() / 1000), left.get(order)));
        }
        if (orders.size() == 2 && teardown.get(orders.get(0)).size() > 0 && teardown.get(orders.get(1)).size() > 0) {
            out.append(String.format(Locale.ROOT, "%n%s teardown / %s teardown: %.2f× (medians)%n", orders.get(0), orders.get(1),
                    teardown.get(orders.get(0)).median() / teardown.get(orders.get(1)).median()));
        }
        problems.forEach((order, list) -> list.forEach(p -> out.append("- ").append(order).append(": ").append(p).append('\n')));
        System.out.print(out);
        if (teardown.values().stream().allMatch(s -> s.size() == 0)) {
            System.exit(1);
        }
    }

    private static String describe(String order) {
        return switch (order) {
            case "serial" -> "serial (off the network one at a time, each removed once off; network when none is listed)";
            case "force" -> "force (one forced removal each, then the network)";
            default -> order;
        };
    }

    /** Names of the networks ProxyStage's run label finds on the engine. */
    private static List<String> networks() {
        String out = Shell.quiet("docker", "network", "ls", "--filter", "label=" + RUN_LABEL, "--format", "{{.Name}}");
        return new ArrayList<>(out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void log(String line) {
        System.err.println("[soak] " + line);
    }
}
