package dev.proxystage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code check}'s time as a user pays it: a fresh JVM running {@code java -jar cli/target/proxystage-cli.jar check},
 * from start to exit, static ({@code --static}) and with {@code nginx -t}, on the example (offline profile, stage
 * prep), on a 250-server tree, and on each tree of the corpus ({@code cli/src/test/resources/corpus/stacks}, when
 * there is one). Cases are interleaved round by round, so a noisy moment spreads over all of them. Prints markdown
 * rows. Run on its own: {@code bash scripts/bench.sh check [--rounds N]}; it needs the cli jar and, for nginx -t, the
 * offline images.
 */
public final class CheckBench {

    private CheckBench() {
    }

    private record Case(String name, List<String> args) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".");
        int rounds = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        root = root.toAbsolutePath().normalize();
        Path jar = root.resolve("cli/target/proxystage-cli.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the cli module first");
        }
        Path work = Files.createTempDirectory("proxystage-check-bench");
        try {
            List<Case> cases = new ArrayList<>();
            cases.add(new Case("example (5 stages' definitions, stage prep)", List.of("--config",
                    root.resolve("example-tests/pipeline.yml").toString(), "--profile", "offline", "--stage", "prep")));
            ScaleTree tree = ScaleTree.write(work, 250, "dev.proxystage.bench", "check");
            cases.add(new Case("250 server blocks, 250 backends", List.of("--config", tree.pipeline().toString(),
                    "--stage", "prep")));
            Path corpus = root.resolve("cli/src/test/resources/corpus/stacks");
            if (Files.isDirectory(corpus)) {
                try (Stream<Path> stacks = Files.list(corpus)) {
                    for (Path stack : stacks.sorted().toList()) {
                        Path pipeline = stack.resolve("pipeline.yml");
                        if (Files.isRegularFile(pipeline)) {
                            cases.add(new Case("corpus: " + stack.getFileName(), List.of("--config", pipeline.toString())));
                        }
                    }
                }
            }
            Map<String, Series> times = new LinkedHashMap<>();
            Map<String, Integer> exits = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Case c : cases) {
                    for (boolean staticOnly : new boolean[] {true, false}) {
                        String key = c.name() + (staticOnly ? " | static" : " | with nginx -t");
                        long started = System.nanoTime();
                        int exit = check(jar, c.args(), staticOnly, work.resolve("out.txt"));
                        times.computeIfAbsent(key, k -> new Series()).add((System.nanoTime() - started) / 1e6);
                        exits.put(key, exit);
                    }
                }
                System.err.println("[check-bench] round " + (round + 1) + " of " + rounds + " done");
            }
            System.out.println("| tree | check | median ms (min–max), n = " + rounds + " | exit |");
            System.out.println("|---|---|---|---|");
            times.forEach((key, series) -> {
                String[] parts = key.split(" \\| ");
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f (%.0f–%.0f) | %d |%n", parts[0], parts[1],
                        series.median(), series.min(), series.max(), exits.get(key));
            });
            System.out.println();
            System.out.println("Goals (the example, JVM start included): static ≤ 1000 ms, with nginx -t ≤ 2500 ms.");
        } finally {
            deleteRecursively(work);
        }
    }

    private static int check(Path jar, List<String> args, boolean staticOnly, Path out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", jar.toString(), "check"));
        command.addAll(args);
        if (staticOnly) {
            command.add("--static");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        int exit = process.waitFor();
        if (exit > 1) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ": "
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return exit;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
