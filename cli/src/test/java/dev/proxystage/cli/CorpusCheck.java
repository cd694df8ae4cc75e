package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * {@code check} on every tree of the corpus gives real nginx's verdict (verdicts.tsv): a tree nginx starts with
 * passes, a tree nginx refuses fails, and when nginx names a {@code file:line}, check's first error names the same
 * one. Each tree gets a pipeline.yml that lays it out as its corpus.properties says and names every backend alias as
 * an echo backend, so what check finds beyond nginx (unknown hosts, unused backends) does not come into it.
 */
final class CorpusCheck {

    /** {@code file:line: message} or {@code file:line:column: message}; warnings say so after the location. */
    private static final Pattern FINDING = Pattern.compile("^(.+?):(\\d+)(?::\\d+)?: (.*)$");

    private CorpusCheck() {
    }

    /** One dynamic test per tree: {@code check} (with {@code more} arguments) on a copy of it under {@code work}. */
    static Stream<DynamicTest> everyTree(Path work, String... more) {
        return everyTree(work, id -> true, Runnable::run, more);
    }

    /**
     * One dynamic test per tree whose id {@code only} accepts. The checks run on {@code executor} as soon as this
     * returns (with an engine, several at once save most of the wait for containers); each test waits for its own.
     */
    static Stream<DynamicTest> everyTree(Path work, Predicate<String> only, Executor executor, String... more) {
        Map<String, Corpus.Verdict> verdicts = Corpus.verdicts();
        Map<Corpus.Tree, CompletableFuture<Checked>> runs = new LinkedHashMap<>();
        Corpus.trees().stream().filter(tree -> only.test(tree.id()))
                .forEach(tree -> runs.put(tree, CompletableFuture.supplyAsync(() -> check(tree, work, more), executor)));
        return runs.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey().id(),
                () -> agrees(e.getKey(), verdicts.get(e.getKey().id()), joined(e.getValue()))));
    }

    /** The tree's copy and what check said on it. */
    private record Checked(Path project, CliRun run) {
    }

    private static Checked check(Corpus.Tree tree, Path work, String... more) {
        try {
            Path project = work.resolve(tree.id());
            Path pipeline = writeProject(tree, project);
            List<String> args = new ArrayList<>(List.of("check", "--config", pipeline.toString(), "--stage", "prep"));
            args.addAll(List.of(more));
            return new Checked(project, CliRun.of(args.toArray(String[]::new)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run's result, or what it threw, as thrown. */
    private static Checked joined(CompletableFuture<Checked> future) throws Throwable {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause();
        }
    }

    private static void agrees(Corpus.Tree tree, Corpus.Verdict nginx, Checked checked) {
        assertThat(nginx).as(tree + " has no verdict in verdicts.tsv (scripts/corpus-verdicts.sh)").isNotNull();
        Path project = checked.project();
        CliRun run = checked.run();

        assertThat(run.exitCode()).as("check's exit code is 0 or 1, not a usage error or a crash\n" + run)
                .isIn(Main.OK, Main.PROBLEMS);
        Optional<String> firstError = run.outLines().stream().filter(line -> !isWarning(line)).findFirst();
        String said = "nginx " + nginx.nginx() + " says " + (nginx.ok() ? "ok" : nginx.where() + ": " + nginx.message())
                + "\n" + run;
        if (nginx.ok()) {
            assertThat(run.exitCode()).as(tree + ": check refuses a tree that " + said).isEqualTo(Main.OK);
            return;
        }
        assertThat(run.exitCode()).as(tree + ": check passes a tree that " + said).isEqualTo(Main.PROBLEMS);
        if (!nginx.where().equals("-")) {
            assertThat(firstError).as(tree + ": check's first error names no file:line; " + said).isPresent();
            assertThat(where(firstError.get(), project)).as(tree + ": check's first error is elsewhere than " + said)
                    .isEqualTo(nginx.where());
        }
    }

    private static boolean isWarning(String line) {
        Matcher m = FINDING.matcher(line);
        return m.matches() ? m.group(3).startsWith("warning:") : line.contains(": warning: ");
    }

    /** The tree-relative {@code file:line} of a finding, wherever check prints its files from. */
    private static String where(String finding, Path project) {
        Matcher m = FINDING.matcher(finding);
        if (!m.matches()) {
            return "-";
        }
        Path file = Path.of(m.group(1));
        Path absolute = file.isAbsolute() ? file : Path.of("").toAbsolutePath().resolve(file);
        Path real = absolute.normalize();
        String relative = real.startsWith(project) ? project.relativize(real).toString().replace('\\', '/') : real.toString();
        return relative + ":" + m.group(2);
    }

    /** Copies the tree and writes its pipeline.yml beside it: its layout, and every alias as an echo backend. */
    private static Path writeProject(Corpus.Tree tree, Path project) throws IOException {
        copy(tree.dir(), project);
        String confDir = tree.get("confDir").orElse("conf.d");
        Files.createDirectories(project.resolve(confDir));

        StringBuilder yaml = new StringBuilder();
        yaml.append("# ").append(tree.id()).append(" of the corpus, laid out as its corpus.properties says\n");
        yaml.append("defaultStage: prep\nstages:\n  prep: {}\n");
        yaml.append("nginx:\n  image: proxystage/nginx:offline\n");
        yaml.append("  confDir: ").append(quote(confDir)).append('\n');
        tree.get("mainConfig").ifPresent(main -> yaml.append("  mainConfig: ").append(quote(main)).append('\n'));
        Map<String, Path> files = tree.files();
        if (!files.isEmpty()) {
            yaml.append("  files:\n");
            files.forEach((container, host) -> yaml.append("    ").append(quote(container)).append(": ")
                    .append(quote(tree.dir().relativize(host).toString())).append('\n'));
        }
        Map<String, TreeSet<Integer>> ports = new LinkedHashMap<>();
        tree.backends().forEach(b -> ports.computeIfAbsent(b.alias(), a -> new TreeSet<>()).add(b.port()));
        if (!ports.isEmpty()) {
            yaml.append("backends:\n");
            ports.forEach((alias, set) -> {
                yaml.append("  ").append(backendName(alias)).append(":\n");
                yaml.append("    image: echo\n");
                yaml.append("    alias: ").append(quote(alias)).append('\n');
                yaml.append("    port: ").append(set.first()).append('\n');
                if (set.size() > 1) {
                    yaml.append("    ports: ").append(List.copyOf(set)).append('\n');
                }
            });
        } else {
            yaml.append("backends: {}\n");
        }
        yaml.append("echo:\n  image: proxystage/jre:17-offline\n");
        Path pipeline = project.resolve("pipeline.yml");
        Files.writeString(pipeline, yaml, StandardCharsets.UTF_8);
        return pipeline;
    }

    /** A backend's name from its alias: lower case, with anything but letters and digits as '-'. */
    static String backendName(String alias) {
        return alias.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.sorted().toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
