package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The corpus itself is well formed: every tree says how it is laid out and what nginx reaches, the paths it names
 * exist, and {@code verdicts.tsv} holds real nginx's verdict for exactly these trees, of one nginx version, with
 * every {@code [emerg]} case refused and every near-twin accepted. No Docker: the verdicts are committed.
 */
class CorpusTreesTest {

    private static final List<Corpus.Tree> TREES = Corpus.trees();
    private static final Map<String, Corpus.Verdict> VERDICTS = Corpus.verdicts();

    @Test
    void everyTreeDirectoryHasItsProperties() {
        assertThat(Corpus.treeDirectories())
                .allSatisfy(dir -> assertThat(dir.resolve("corpus.properties")).as(dir.toString()).isRegularFile());
    }

    @Test
    void theCorpusHasItsSizeOfRealStacksAndOfCases() {
        Map<String, Long> byKind = TREES.stream().collect(Collectors.groupingBy(Corpus.Tree::kind, Collectors.counting()));

        assertThat(byKind.get("stacks")).isGreaterThanOrEqualTo(18);
        assertThat(byKind.get("emerg")).isGreaterThanOrEqualTo(20);
        assertThat(byKind.get("valid")).isGreaterThanOrEqualTo(8);
    }

    @Test
    void verdictsCoverExactlyTheTreesWithOneNginxVersion() {
        assertThat(VERDICTS.keySet()).containsExactlyInAnyOrderElementsOf(TREES.stream().map(Corpus.Tree::id).toList());
        assertThat(VERDICTS.values().stream().map(Corpus.Verdict::nginx).distinct()).singleElement().asString()
                .matches("\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void stacksAreEachModelledOnANamedPublicProject() {
        List<Corpus.Tree> stacks = TREES.stream().filter(t -> t.kind().equals("stacks")).toList();

        assertThat(stacks).allSatisfy(tree -> {
            assertThat(tree.get("project")).as(tree + " project").isPresent();
            assertThat(tree.get("modelledAfter")).as(tree + " modelledAfter").get().asString()
                    .startsWith("https://github.com/");
            assertThat(tree.get("compose").map(tree.dir()::resolve)).as(tree + " compose").get().satisfies(
                    compose -> assertThat(compose).isRegularFile());
            assertThat(tree.servers()).as(tree + " servers").isNotEmpty();
            assertThat(tree.backends()).as(tree + " backends").isNotEmpty();
        });
        assertThat(stacks.stream().map(t -> t.get("modelledAfter").orElseThrow()).distinct()).hasSize(stacks.size());
    }

    @TestFactory
    Stream<DynamicTest> everyTreeIsWellFormed() {
        return TREES.stream().map(tree -> DynamicTest.dynamicTest(tree.id(), () -> wellFormed(tree)));
    }

    private static void wellFormed(Corpus.Tree tree) throws IOException {
        assertThat(tree.properties().stringPropertyNames()).as(tree + ": keys").isSubsetOf(Corpus.KEYS);
        assertThat(tree.confDir().isPresent() || tree.mainConfig().isPresent())
                .as(tree + ": names a confDir or a mainConfig").isTrue();
        tree.confDir().ifPresent(dir -> assertThat(dir).as(tree + ": confDir").isDirectory());
        tree.mainConfig().ifPresent(main -> assertThat(main).as(tree + ": mainConfig").isRegularFile());
        tree.files().forEach((container, host) -> {
            assertThat(container).as(tree + ": files target").startsWith("/");
            // a directory, or a single file placed at its own path (nginx.files takes both)
            assertThat(Files.isDirectory(host) || Files.isRegularFile(host)).as(tree + ": files source for " + container
                    + " is a directory or a file").isTrue();
        });
        assertThat(tree.place()).as(tree + ": place").allSatisfy(path -> assertThat(path).startsWith("/"));
        assertThat(tree.backends()).as(tree + ": backends").allSatisfy(b -> {
            assertThat(b.alias()).matches("[A-Za-z0-9][A-Za-z0-9_.-]*");
            assertThat(b.port()).isBetween(1, 65535);
            assertThat(b.protocol()).isIn(Corpus.PROTOCOLS);
        });
        assertThat(tree.servers()).as(tree + ": servers").allSatisfy(s -> assertThat(s.port()).isBetween(1, 65535));
        // a route names one of the tree's backends
        assertThat(tree.routes()).as(tree + ": routes").allSatisfy(r -> assertThat(tree.backends())
                .extracting(Corpus.Backend::alias).contains(r.alias()));
        if (tree.kind().equals("stacks")) {
            String compose = Files.readString(tree.dir().resolve(tree.get("compose").orElseThrow()), StandardCharsets.UTF_8);
            // every backend nginx reaches is a service, a container name or an alias of the compose file
            assertThat(tree.backends()).as(tree + ": backends named in the compose file")
                    .allSatisfy(b -> assertThat(compose).contains(b.alias()));
        } else {
            assertThat(tree.get("expect")).as(tree + ": expect").get().isEqualTo(tree.kind().equals("emerg") ? "emerg" : "ok");
        }

        Corpus.Verdict verdict = VERDICTS.get(tree.id());
        assertThat(verdict).as(tree + ": has a verdict in verdicts.tsv").isNotNull();
        if (!verdict.ok()) {
            assertThat(verdict.message()).as(tree + ": nginx's message").isNotBlank().isNotEqualTo("-");
        }
        if (!verdict.where().equals("-")) {
            // nginx's file:line maps back to a file of the tree, and the line is in it
            int colon = verdict.where().lastIndexOf(':');
            Path file = tree.dir().resolve(verdict.where().substring(0, colon));
            int line = Integer.parseInt(verdict.where().substring(colon + 1));
            assertThat(file).as(tree + ": " + verdict.where()).isRegularFile();
            assertThat(Files.readAllLines(file, StandardCharsets.UTF_8).size()).as(tree + ": " + verdict.where())
                    .isGreaterThanOrEqualTo(line);
        }
        // each case shows what it was written to show, on the nginx the verdicts were taken with
        tree.get("expect").ifPresent(expect -> {
            boolean okFromHere = tree.get("expectOkFrom").map(v -> Corpus.atLeast(verdict.nginx(), v)).orElse(false);
            boolean expectOk = expect.equals("ok") || okFromHere;
            assertThat(verdict.ok()).as(tree + ": nginx " + verdict.nginx() + " says " + (verdict.ok() ? "ok" : verdict.message()))
                    .isEqualTo(expectOk);
        });
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(Corpus.atLeast("1.26.3", "1.25.1")).isTrue();
        assertThat(Corpus.atLeast("1.22.1", "1.25.1")).isFalse();
        assertThat(Corpus.atLeast("1.27.3", "1.27.3")).isTrue();
        assertThat(Corpus.atLeast("1.9.0", "1.10.0")).isFalse();
    }

    @Test
    void everyKindIsKnown() {
        assertThat(TREES.stream().map(Corpus.Tree::kind).collect(Collectors.toSet())).isEqualTo(Set.copyOf(Corpus.KINDS));
    }
}
