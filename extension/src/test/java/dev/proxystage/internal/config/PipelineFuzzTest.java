package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Mutated and random versions of the fixture pipeline files: loading one either succeeds or fails with
 * ProxyStage's own error, whose every line names a file, and always within a bound (a hang guard, not a speed test).
 * QuickTheories generates the cases and shrinks a failing one (fewer, shorter edits) before it reports it with its seed.
 */
class PipelineFuzzTest {

    /** Generous: the limits keep every load far below it; only a hang or a blow-up reaches it. */
    private static final Duration GUARD = Duration.ofSeconds(10);
    private static final Path RESOURCES = Path.of("src/test/resources");
    private static final Path WORK = createWork();

    /** The fixture pipelines, each copied with its directory so confDir and the other paths exist. */
    private static final List<Path> SEEDS = copySeeds();

    private static Path createWork() {
        try {
            return Files.createTempDirectory("proxystage-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> copySeeds() {
        List<Path> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.walk(RESOURCES)) {
            for (Path yml : files.filter(f -> f.getFileName().toString().equals("pipeline.yml")).sorted().toList()) {
                Path copy = WORK.resolve("seed" + seeds.size());
                copyTree(yml.getParent(), copy);
                seeds.add(copy.resolve("pipeline.yml"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(seeds).hasSizeGreaterThan(5);
        return seeds;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    @AfterAll
    static void removeWork() throws IOException {
        try (Stream<Path> paths = Files.walk(WORK)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** One edit of a file's text, at a position given as a fraction of its length. */
    record Mutation(int kind, double at, double length, String text) {

        String applyTo(String content) {
            int n = content.length();
            int from = (int) (at * n);
            int to = Math.min(n, from + 1 + (int) (length * Math.min(n - from, 40)));
            return switch (kind) {
                case 0 -> content.substring(0, from) + content.substring(to);               // delete
                case 1 -> content.substring(0, from) + text + content.substring(from);      // insert
                case 2 -> content.substring(0, to) + content.substring(from, to).repeat(1 + text.length())
                        + content.substring(to);                                           // repeat a chunk
                case 3 -> content.substring(0, from);                                       // truncate
                case 4 -> content.substring(0, from) + text + content.substring(to);        // replace
                default -> {                                                                // move a line
                    List<String> lines = new ArrayList<>(content.lines().toList());
                    if (lines.size() > 1) {
                        String line = lines.remove((int) (at * (lines.size() - 1)));
                        lines.add((int) (length * (lines.size() - 1)), line);
                    }
                    yield String.join("\n", lines);
                }
            };
        }
    }

    private static Gen<String> yamlText() {
        Gen<String> tokens = arbitrary().pick("&a ", "*a", "&b [*a, *a, *a, *a]", "{", "}", "[", "]", ": ", "- ",
                "\"", "'", "!!map ", "!!str ", "|", ">", "#", "\n", "\n  ", "\t", "\u0000", "\u0007", "\ufeff", "\u00e9",
                "${env:}", "${env:HOME", "${env:HOME}", "stages", "prod", "backends", "data", "hostPath: /",
                "confDir: .", "files: {/x: ./y}", "timeout: 0s", "port: 99999", "s".repeat(70), "..", "/", "~", "null",
                "<<: *a", "? ", "\"a\\nb\": ", "\"\\u0085\\t\": x", "image: |\n  two\n  lines\n", "---\n", "...\n", "%YAML 1.1\n");
        return lists().of(tokens).ofSizeBetween(1, 4).map(list -> String.join("", list));
    }

    private static Gen<List<Mutation>> mutations() {
        Gen<Mutation> one = integers().between(0, 5).zip(doubles().between(0, 1), doubles().between(0, 1), yamlText(),
                Mutation::new);
        return lists().of(one).ofSizeBetween(1, 6);
    }

    private static Gen<Path> seeds() {
        return arbitrary().pick(SEEDS);
    }

    @Test
    void mutatedPipelinesFailOnlyWithProxyStagesOwnErrorNamingAFile() {
        qt().withExamples(300).forAll(seeds(), mutations()).checkAssert((seed, edits) -> {
            try {
                String content = Files.readString(seed);
                for (Mutation edit : edits) {
                    content = edit.applyTo(content);
                }
                Path file = Files.createTempFile(seed.getParent(), "mutated", ".yml");
                try {
                    Files.writeString(file, content);
                    assertLoadsOrFailsCleanly(file, Optional.empty());
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void mutatedOverlaysFailOnlyWithProxyStagesOwnError() {
        qt().withExamples(100).forAll(seeds(), mutations()).checkAssert((seed, edits) -> {
            Path overlay = PipelineConfigLoader.overlayPath(seed, "offline");
            if (!Files.exists(overlay)) {
                return;
            }
            try {
                String original = Files.readString(overlay);
                String content = original;
                for (Mutation edit : edits) {
                    content = edit.applyTo(content);
                }
                Files.writeString(overlay, content);
                try {
                    assertLoadsOrFailsCleanly(seed, Optional.of("offline"));
                } finally {
                    Files.writeString(overlay, original);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Random documents built from pipeline.yml's own keys, values and YAML's sharper edges. */
    private static Gen<String> randomDocuments() {
        Gen<String> keys = arbitrary().pick("stages", "defaultStage", "nginx", "backends", "image", "confDir",
                "files", "port", "alias", "health", "timeout", "path", "data", "mount", "hostPath", "seedFrom",
                "persist", "readOnly", "env", "command", "tls", "trust", "testNames", "generate", "probes", "suppress",
                "echo", "mainConfig", "prep", "wip", "prod", "vw", "plain-http", "x");
        Gen<String> scalars = arbitrary().pick("conf.d", "nginx:1.27", "echo", "80", "0", "-1", "60s", "0s", "true",
                "yes", "/data", "data", "''", "\"\"", "${env:HOME}", "${env:}", "~", "[]", "{}", "[prep, wip, prep]",
                "*a", "&a x", "..", "/", "auto", "always");
        return lists().of(keys).ofSizeBetween(1, 30).zip(lists().of(scalars).ofSize(30),
                lists().of(integers().between(0, 3)).ofSize(30), (ks, vs, depths) -> {
                    StringBuilder yaml = new StringBuilder();
                    for (int i = 0; i < ks.size(); i++) {
                        String indent = "  ".repeat(depths.get(i));
                        boolean opens = i + 1 < ks.size() && depths.get(i + 1) > depths.get(i);
                        yaml.append(indent).append(ks.get(i)).append(':').append(opens ? "" : " " + vs.get(i)).append('\n');
                    }
                    return yaml.toString();
                });
    }

    @Test
    void randomDocumentsFailOnlyWithProxyStagesOwnError() {
        qt().withExamples(300).forAll(randomDocuments()).checkAssert(content -> {
            try {
                Path file = Files.createTempFile(SEEDS.get(0).getParent(), "random", ".yml");
                try {
                    Files.writeString(file, content);
                    assertLoadsOrFailsCleanly(file, Optional.empty());
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void assertLoadsOrFailsCleanly(Path file, Optional<String> profile) {
        assertTimeoutPreemptively(GUARD, () -> {
            try {
                PipelineConfigLoader.load(file, profile);
            } catch (ProxyStageException e) {
                assertThat(e.getMessage().lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
                        .satisfiesAnyOf(l -> assertThat(l).contains(WORK.toString()), l -> assertThat(l).startsWith("… and ")));
            }
            // Anything else (an unchecked exception, an Error) escapes and fails the try.
        });
    }
}
