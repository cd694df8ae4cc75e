package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.docker.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * What {@code init} writes for every stack of the corpus runs as is: {@code routes} brings up the default stage of
 * the written pipeline.yml with the offline profile (the echo backend in place of each of the stack's backends) and
 * every active route of the written routes.yml must pass. A few stacks' stages are up at once on the one engine
 * ({@code -DinitCorpus.parallel}, 3 by default).
 */
class InitCorpusIT {

    /**
     * A stack whose generated table cannot pass on a stage: what fails ({@code start}, or {@code FAIL <route>}) and
     * a text its reason must contain. Each is asserted to still hold, so a gap that closes fails the test.
     */
    record Gap(String what, String reason) {
    }

    static final Map<String, List<Gap>> KNOWN_GAPS = Map.of(
            // The stack's own configuration: a variable in proxy_pass makes nginx look the host up per request, and
            // no resolver is set, so nginx answers 502 in production too (check warns about it); the routes say
            // what the stack is meant to do.
            "stacks/authelia", List.of(
                    new Gap("FAIL GET https://auth.example.com/", "no resolver defined to resolve authelia"),
                    new Gap("FAIL GET https://auth.example.com/api/verify", "no resolver defined to resolve authelia"),
                    new Gap("FAIL GET https://auth.example.com/api/authz/", "no resolver defined to resolve authelia"),
                    new Gap("FAIL GET https://app.example.com/", "no resolver defined to resolve authelia")),
            "stacks/gitea", List.of(new Gap("FAIL GET https://example.com/git/", "no resolver defined to resolve gitea")),
            // "ssl on;" is gone since nginx 1.25.1: the offline image's 1.26.3 refuses it, as the stack's own
            // nginx:1.27 does.
            "stacks/passbolt", List.of(new Gap("start", "unknown directive \"ssl\"")),
            // An upstream server's "resolve" is nginx 1.27.3's; the offline image runs 1.26.3.
            "stacks/sentry", List.of(new Gap("start", "invalid parameter \"resolve\"")));

    @TempDir
    static Path work;

    private static int stacksRun;
    private static int routesRun;
    private static int routesPassed;
    private static long started;
    private static final Map<String, String> summary = new LinkedHashMap<>();

    /** Stages up at once: the stacks' starts wait on the engine and on JVMs starting, so a few overlap well. */
    private static final int AT_ONCE = Integer.getInteger("initCorpus.parallel", 3);

    private static final ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE);

    /** What {@code init} wrote for a stack, and what {@code routes} then did with it (null: no active route). */
    record Outcome(CliRun init, String routesFile, int active, CliRun routes) {
    }

    @TestFactory
    Stream<DynamicTest> everyActiveRouteInitWritesPassesOnAStage() {
        started = System.nanoTime();
        List<Corpus.Tree> trees = Corpus.trees().stream().filter(t -> t.kind().equals("stacks")).toList();
        assertThat(trees).as("the corpus's stacks").hasSizeGreaterThanOrEqualTo(25);
        // -DinitCorpus.stacks=<regex> runs only the stacks whose id matches (stacks/lemmy): one stack's check
        // while working on it, without bringing up all of them.
        String only = System.getProperty("initCorpus.stacks", ".*");
        // Every stack starts now, a few at a time; each test waits for its own and asserts in corpus order.
        Map<String, Future<Outcome>> outcomes = new LinkedHashMap<>();
        trees.stream().filter(tree -> tree.id().matches(only))
                .forEach(tree -> outcomes.put(tree.id(), pool.submit(() -> runStack(tree))));
        return outcomes.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> assertStack(e.getKey(), e.getValue().get())));
    }

    private static Outcome runStack(Corpus.Tree tree) throws IOException {
        Path project = InitCorpusTest.copy(tree, work);
        CliRun init = InitCorpusTest.init(tree, project);
        if (init.exitCode() != Main.OK) {
            return new Outcome(init, "", 0, null);
        }
        Path pipeline = project.resolve("pipeline.yml");
        int active = activeRoutes(project);
        String routesFile = Files.readString(project.resolve("routes.yml"));
        CliRun routes = active == 0 ? null : CliRun.of("routes", "--config", pipeline.toString(), "--profile", "offline");
        return new Outcome(init, routesFile, active, routes);
    }

    private void assertStack(String id, Outcome outcome) {
        assertThat(outcome.init().exitCode()).as(id + ": init\n" + outcome.init()).isEqualTo(Main.OK);
        List<Gap> gaps = new ArrayList<>();
        String routesFile = outcome.routesFile();
        if (outcome.routes() == null) {
            gaps.add(new Gap("no active route", routesFile));
        } else {
            CliRun routes = outcome.routes();
            List<String> lines = routes.outLines();
            long passed = lines.stream().filter(l -> l.startsWith("PASS ")).count();
            List<String> failed = lines.stream().filter(l -> l.startsWith("FAIL ")).toList();
            routesRun += (int) passed + failed.size();
            routesPassed += (int) passed;
            summary.put(id, passed + "/" + (passed + failed.size()));
            System.out.printf("%s: %d/%d routes passed (exit %d)%n", id, passed, passed + failed.size(),
                    routes.exitCode());
            if (passed + failed.size() == 0) {
                gaps.add(new Gap("start", routes.err()));
            } else {
                stacksRun++;
                assertThat(passed + failed.size()).as(id + ": every active route ran\n" + routes)
                        .isEqualTo(outcome.active());
            }
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("FAIL ")) {
                    // The failure's line and the diagnostics under it (nginx's error log among them).
                    StringBuilder why = new StringBuilder(lines.get(i));
                    for (int j = i + 1; j < lines.size() && lines.get(j).startsWith(" "); j++) {
                        why.append('\n').append(lines.get(j));
                    }
                    gaps.add(new Gap(lines.get(i).substring(0, lines.get(i).indexOf(": ")), why.toString()));
                }
            }
            if (!gaps.isEmpty()) {
                System.out.println(routes);
                System.out.println(routesFile);
            }
        }
        List<Gap> expected = KNOWN_GAPS.getOrDefault(id, List.of());
        assertThat(gaps.stream().map(Gap::what).toList()).as(id + ": what does not pass").containsExactlyElementsOf(
                expected.stream().map(Gap::what).toList());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(gaps.get(i).reason()).as(id + ": why " + expected.get(i).what() + " does not pass")
                    .contains(expected.get(i).reason());
        }
    }

    private static int activeRoutes(Path project) throws IOException {
        return (int) Files.readAllLines(project.resolve("routes.yml")).stream().filter(l -> l.startsWith("  - request: "))
                .count();
    }

    @AfterAll
    static void totals() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).as("every stack's run ended").isTrue();
        System.out.printf("init corpus on a stage: %d stacks' stages up, routes passed %d/%d, in %d s%n", stacksRun,
                routesPassed, routesRun, (System.nanoTime() - started) / 1_000_000_000L);
        System.out.println(summary);
        // Every stage is down: no container of this JVM is left on the engine.
        assertThat(DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.PID, Long.toString(ProcessHandle.current().pid()))).exec()).isEmpty();
    }
}
