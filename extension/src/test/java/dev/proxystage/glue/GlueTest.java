package dev.proxystage.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.proxystage.Settings;
import dev.proxystage.StageDiagnostics;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventConditions;

/**
 * The JUnit glue against a fake engine, without Docker: the fixture classes run through EngineTestKit, and the
 * fake records what the glue asked for.
 */
class GlueTest {

    private static final String PIPELINE = "src/test/resources/glue/pipeline.yml";

    @BeforeEach
    void reset() {
        FakeEngine.reset();
    }

    @AfterEach
    void clean() {
        System.clearProperty("glue.stage");
    }

    private static EngineExecutionResults run(Map<String, String> parameters, Class<?>... classes) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", PIPELINE)
                .configurationParameter("proxystage.engine", FakeEngine.class.getName())
                .configurationParameters(parameters)
                .selectors(Arrays.stream(classes).map(DiscoverySelectors::selectClass).toArray(DiscoverySelector[]::new))
                .execute();
    }

    @Test
    void aStageStartsOncePerRunIsInjectedAndClosesAtTheEnd() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.Routed.class, GlueFixtures.SameStage.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        assertThat(FakeEngine.STARTS).hasValue(1);
        assertThat(FakeEngine.EVENTS).first().isEqualTo("sweep");
        assertThat(FakeEngine.EVENTS).containsSubsequence("start prep", "mark prep", "finished prep", "close prep")
                .last().isEqualTo("close prep");
    }

    @Test
    void eachTestIsMarkedAndFinished() {
        run(Map.of(), GlueFixtures.TwoTests.class);

        assertThat(FakeEngine.EVENTS).containsExactly("sweep", "start prep", "mark prep", "heal prep", "finished prep",
                "mark prep", "heal prep", "finished prep", "close prep");
    }

    @Test
    void aWrongRouteFailsWithTheReasonAndTheStagesDiagnostics() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.WrongRoute.class);

        results.testEvents().assertThatEvents().haveExactly(1, event(test("expectsAnotherBackend"),
                finishedWithFailure(message(m -> m.contains("to be routed to admin@prep but vaultwarden@prep")))));
        Throwable failure = results.testEvents().failed().stream().findFirst().orElseThrow()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        assertThat(failure.getSuppressed()).hasAtLeastOneElementOfType(StageDiagnostics.class);
        assertThat(Arrays.stream(failure.getSuppressed()).map(Throwable::getMessage))
                .anySatisfy(m -> assertThat(m).startsWith("fake diagnostics of prep since mark 1"));
    }

    @Test
    void theFaultsATestLeavesAreHealedAfterItAlsoWhenItFails() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.WrongRoute.class);

        results.testEvents().assertStatistics(s -> s.failed(1));
        assertThat(FakeEngine.EVENTS).containsSubsequence("mark prep", "heal prep", "finished prep", "close prep");
    }

    @Test
    void anUnannotatedStageComesFromTheSettingElseTheDefaultStage() {
        run(Map.of("proxystage.stage", "wip"), GlueFixtures.DefaultStage.class)
                .testEvents().assertStatistics(s -> s.succeeded(1));
        assertThat(System.getProperty("glue.stage")).isEqualTo("wip");

        run(Map.of(), GlueFixtures.DefaultStage.class).testEvents().assertStatistics(s -> s.succeeded(1));
        assertThat(System.getProperty("glue.stage")).isEqualTo("prep");
    }

    @Test
    void aConfDThatBreaksNginxsRulesFailsTheClassWithChecksLineBeforeAnyStart() {
        EngineExecutionResults results = run(Map.of("proxystage.config", "src/test/resources/glue-rules/pipeline.yml"),
                GlueFixtures.Routed.class);

        Path conf = Path.of("src/test/resources/glue-rules/conf.d/vw.conf").toAbsolutePath();
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).singleElement().satisfies(e -> assertThat(e.getRequiredPayload(
                TestExecutionResult.class).getThrowable().orElseThrow().getMessage())
                .isEqualTo(conf + ":8: a duplicate default server for 0.0.0.0:80 (the first is at " + conf
                        + ":2); nginx refuses to start"));
        assertThat(FakeEngine.STARTS).hasValue(0);
    }

    @Test
    void anUnknownStageFailsTheClassNamingTheKnownOnes() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.UnknownStage.class);

        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).singleElement().satisfies(e -> assertThat(e.getRequiredPayload(
                TestExecutionResult.class).getThrowable().orElseThrow().getMessage())
                .isEqualTo("stage 'prod-typo' is not in pipeline.yml (known: wip, prep, ship)"));
        assertThat(FakeEngine.STARTS).hasValue(0);
    }

    @Test
    void aMatrixRunsOncePerStageAndIsNarrowedBySetting() {
        run(Map.of(), GlueFixtures.Matrix.class).testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        assertThat(FakeEngine.EVENTS).filteredOn(e -> e.startsWith("start ")).containsExactly("start wip", "start prep", "start ship");

        FakeEngine.reset();
        run(Map.of("proxystage.stages", "ship"), GlueFixtures.Matrix.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(FakeEngine.EVENTS).filteredOn(e -> e.startsWith("start ")).containsExactly("start ship");
    }

    @Test
    void aProgrammaticExtensionIsBoundToItsStage() {
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.engine", FakeEngine.class.getName())
                .selectors(DiscoverySelectors.selectClass(GlueFixtures.Programmatic.class))
                .execute().testEvents().assertStatistics(s -> s.succeeded(1));
        assertThat(FakeEngine.EVENTS).contains("start ship", "close ship");
    }

    @Test
    void theAnnotationAndAProgrammaticInstanceForOneStageCoexist() {
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.engine", FakeEngine.class.getName())
                .selectors(DiscoverySelectors.selectClass(GlueFixtures.BothRegistrationsAgree.class))
                .execute().testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        // One instance acts: one mark and one finish per test, not two.
        assertThat(FakeEngine.EVENTS).containsExactly("sweep", "start ship", "mark ship", "heal ship", "finished ship", "close ship");
    }

    @Test
    void theAnnotationAndAProgrammaticInstanceForTwoStagesFailInOneLine() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.engine", FakeEngine.class.getName())
                .selectors(DiscoverySelectors.selectClass(GlueFixtures.BothRegistrationsDisagree.class))
                .execute();

        results.containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(message(m ->
                m.equals(GlueFixtures.BothRegistrationsDisagree.class.getName() + ": @PipelineStage(\"prep\") and"
                        + " @RegisterExtension ProxyStageExtension.forStage(\"wip\") name two stages for one class; keep"
                        + " one of them (a parameter can still ask for the other with @PipelineStage(\"prep\") Stage prep)")))));
        results.testEvents().assertStatistics(s -> s.started(0));
        assertThat(FakeEngine.EVENTS).doesNotContain("start prep", "start wip");
    }

    @Test
    void nginxsAlertsFailTheTestTheyHappenedInUnlessAllowed() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.NginxLogs.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("crit"), finishedWithFailure(message(m ->
                m.startsWith("nginx logged 1 line at [alert], [crit] or [emerg] while this test ran on stage prep (allow a"
                        + " message with @AllowNginxLog, or set -Dproxystage.nginxLogGate=false):\n  ")
                        && m.endsWith("[crit] 22#22: *1 connect() to unix:/run/app.sock failed (2: No such file or"
                        + " directory) while connecting to upstream")))));
    }

    @Test
    void theNginxLogGateCanBeTurnedOff() {
        run(Map.of("proxystage.nginxLogGate", "false"), GlueFixtures.NginxLogs.class)
                .testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    }

    @Test
    void aDeadStageFailsTheNextTestUnlessRestartsAreAllowed() {
        FakeEngine.DIE.set(true);
        run(Map.of(), GlueFixtures.TwoTests.class).testEvents().assertThatEvents()
                .haveExactly(1, event(finishedWithFailure(message(m -> m.contains("exited with code 137")
                        && m.contains("-Dproxystage.restartDeadStages=true")))));

        FakeEngine.reset();
        FakeEngine.DIE.set(true);
        run(Map.of("proxystage.restartDeadStages", "true"), GlueFixtures.TwoTests.class)
                .testEvents().assertStatistics(s -> s.succeeded(2));
        assertThat(FakeEngine.STARTS).hasValue(2);
        assertThat(FakeEngine.EVENTS).containsSubsequence("start prep", "close prep", "start prep", "close prep");
    }

    @Test
    void noEngineFailsUnlessSkippingWasAsked() {
        FakeEngine.UNAVAILABLE.set(true);
        run(Map.of(), GlueFixtures.Routed.class).containerEvents().assertStatistics(s -> s.failed(1));
        run(Map.of("proxystage.skipWithoutDocker", "true"), GlueFixtures.Routed.class)
                .containerEvents().assertStatistics(s -> s.aborted(1).failed(0));
    }

    @Test
    void aBadSettingFailsWithOneLineNamingIt() {
        EngineExecutionResults results = run(Map.of("proxystage.restartDeadStages", "yes"), GlueFixtures.Routed.class);

        assertThat(results.containerEvents().failed().list()).singleElement().satisfies(e -> assertThat(e
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow().getMessage())
                .isEqualTo("proxystage.restartDeadStages must be true or false, got 'yes'"));
    }

    /** The diagnostics attached to the one failed test of {@code results}. */
    private static String diagnosticsOfTheFailure(EngineExecutionResults results) {
        Throwable failure = results.testEvents().failed().stream().findFirst().orElseThrow()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        return Arrays.stream(failure.getSuppressed()).filter(StageDiagnostics.class::isInstance)
                .map(Throwable::getMessage).findFirst().orElseThrow(() -> new AssertionError("no diagnostics on " + failure));
    }

    @Test
    void aFailingDynamicTestCarriesTheDiagnosticsOfItsOwnRequestOnly() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.FiveRoutes.class);

        results.testEvents().assertStatistics(s -> s.started(5).succeeded(4).failed(1));
        results.testEvents().assertThatEvents().haveExactly(1, event(test(), EventConditions.displayName("route 3"),
                finishedWithFailure(message(m -> m.contains("418")))));
        String diagnostics = diagnosticsOfTheFailure(results);
        assertThat(diagnostics).startsWith("fake diagnostics of prep").contains("GET http://vw.example.com/route-3");
        assertThat(diagnostics).doesNotContain("route-1", "route-2", "route-4", "route-5");
        // the passing routes add nothing
        assertThat(results.testEvents().succeeded().stream()
                .flatMap(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().stream()))
                .isEmpty();
    }

    @Test
    void aFailingParameterizedInvocationCarriesTheDiagnosticsOfItsOwnRequestOnly() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.ParameterizedRoutes.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        String diagnostics = diagnosticsOfTheFailure(results);
        assertThat(diagnostics).contains("GET http://vw.example.com/param-2").doesNotContain("param-1", "param-3");
    }

    @Test
    void aFailingStageInvocationCarriesTheDiagnosticsOfItsOwnRequestOnly() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.MatrixRoutes.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        String diagnostics = diagnosticsOfTheFailure(results);
        assertThat(diagnostics).startsWith("fake diagnostics of prep").contains("GET http://vw.example.com/in-prep")
                .doesNotContain("in-wip", "in-ship");
    }

    @Test
    void theRouteTableContractRunsOneNamedDynamicTestPerRouteEachWithItsOwnDiagnostics() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.RoutesContract.class);

        // the third route is skipped in prep: no test at all
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        results.testEvents().succeeded().assertThatEvents().haveExactly(1,
                event(EventConditions.displayName("vaultwarden home")));
        results.testEvents().assertThatEvents().haveExactly(1, event(
                EventConditions.displayName("POST http://vw.example.com/wrong"),
                finishedWithFailure(message(m -> m.startsWith("expected status 404 but got 200 for POST http://vw.example.com/wrong")))));
        assertThat(diagnosticsOfTheFailure(results)).contains("POST http://vw.example.com/wrong").doesNotContain("/home");
    }

    @Test
    void theRunWritesOneReportWhenTheEngineFinishesWithTheMatrixAndEveryTest(@TempDir Path dir)
            throws IOException {
        run(Map.of("proxystage.report", dir.toString()), GlueFixtures.MatrixContract.class, GlueFixtures.TwoTests.class);

        String html = Files.readString(dir.resolve("index.html"));
        assertThat(html).contains("<th>wip</th><th>prep</th>")
                .contains("<td class=\"pass\">200 (no trace)</td>")
                .contains("prep same as wip: promotable")
                .contains("MatrixContract › stage prep › routes › vaultwarden home")
                .contains("TwoTests › ");
        // the route that fails in both stages is listed first, with its diagnostics
        assertThat(html.indexOf("expected status 404 but got 200")).isLessThan(html.indexOf("id=\"matrix\""));
        assertThat(html).contains("fake diagnostics of wip");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("index.html");
        }
    }

    @Test
    void reportFalseWritesNoReport() {
        File defaultPage = Path.of("target", "proxystage", "index.html").toFile();
        long before = defaultPage.lastModified();
        run(Map.of("proxystage.report", "false"), GlueFixtures.MatrixContract.class);
        assertThat(defaultPage.lastModified()).isEqualTo(before);
        assertThat(Settings.from(n -> Optional.of("false").filter(v -> n.equals("proxystage.report")))
                .report()).isEmpty();
        assertThat(Settings.defaults().report()).contains(Path.of("target", "proxystage"));
    }

    @Test
    void aBrokenRouteTableFailsTheFactoryWithFileLineAndColumn() {
        EngineExecutionResults results = run(Map.of(), GlueFixtures.BrokenRoutesContract.class);

        results.containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
                message(m -> m.matches(".*broken-routes.yml:3:15: unknown key 'expected' in routes\\[0\\].*")))));
        results.testEvents().assertStatistics(s -> s.started(0));
    }

    /** The one failure of the run's containers: the engine's, as a gate judged when the engine finished. */
    private static Throwable engineFailure(EngineExecutionResults results) {
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).getTestDescriptor().getUniqueId().toString()).isEqualTo("[engine:junit-jupiter]");
        return failed.get(0).getPayload(TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
    }

    @Test
    void thePromotionGateFailsTheRunListingEveryRouteThatDrifted(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        FakeEngine.ANSWER_STATUS.put("prep", 503);

        EngineExecutionResults results = run(Map.of("proxystage.promotion.sameAs", "wip", "proxystage.report", dir.toString()),
                GlueFixtures.PromotionContract.class);

        // the routes expect nothing: every test passes, the gate alone fails the run
        results.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        assertThat(engineFailure(results)).isInstanceOf(AssertionError.class).hasMessage(String.join("\n",
                "proxystage.promotion.sameAs=wip: 2 routes answer differently from wip (a route that differs on purpose"
                        + " says why: differs: \"<why>\" under its stage in the route table):",
                "prep same as wip: NOT promotable (0 routes alike, 2 drifted)",
                "  DRIFT home: wip 200 (no trace), prep 503 (no trace) (" + ROUTES_DIR + "promotion-routes.yml:3:5)",
                "  DRIFT status page: wip 200 (no trace), prep 503 (no trace) (" + ROUTES_DIR + "promotion-routes.yml:5:5)"));
        // the report, written after the gate judged, shows the same verdict
        assertThat(Files.readString(dir.resolve("index.html"))).contains("prep same as wip: NOT promotable");
        FakeEngine.reset();
        FakeEngine.ANSWER_STATUS.put("prep", 503);
        assertThat(run(Map.of("proxystage.report", "false"), GlueFixtures.PromotionContract.class)
                .containerEvents().failed().list()).as("no gate without the setting").isEmpty();
    }

    private static final String ROUTES_DIR = Path.of("src/test/resources/glue").toAbsolutePath() + "/";

    @Test
    void thePromotionGatePassesWhenTheStagesAnswerAlikeOrTheTableSaysWhyNot(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        EngineExecutionResults alike = run(Map.of("proxystage.promotion.sameAs", "wip", "proxystage.report", "false"),
                GlueFixtures.PromotionContract.class);
        alike.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        assertThat(alike.containerEvents().failed().list()).isEmpty();

        FakeEngine.reset();
        FakeEngine.ANSWER_STATUS.put("prep", 503);
        EngineExecutionResults declared = run(Map.of("proxystage.promotion.sameAs", "wip", "proxystage.report", dir.toString()),
                GlueFixtures.DeclaredDifferenceContract.class);
        declared.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        assertThat(declared.containerEvents().failed().list()).isEmpty();
        assertThat(Files.readString(dir.resolve("index.html")))
                .contains("prep same as wip: promotable (0 routes alike, 2 differ on purpose)")
                .contains("prep answers from its maintenance page");
    }

    @Test
    void aPromotionGateWithNothingToCompareWithFailsTheRunSayingSo() {
        assertThat(engineFailure(run(Map.of("proxystage.promotion.sameAs", "ship", "proxystage.report", "false"),
                GlueFixtures.PromotionContract.class))).hasMessage("proxystage.promotion.sameAs=ship: no route of a route"
                + " table ran on stage ship, so wip, prep cannot be compared with it; run the table on ship too"
                + " (@ForEachStage({\"ship\", \"wip\"}))");
        // a baseline pipeline.yml does not have fails before any stage starts
        FakeEngine.reset();
        EngineExecutionResults unknown = run(Map.of("proxystage.promotion.sameAs", "stagin", "proxystage.report", "false"),
                GlueFixtures.PromotionContract.class);
        unknown.testEvents().assertStatistics(s -> s.started(0));
        assertThat(unknown.containerEvents().failed().list()).isNotEmpty().allMatch(e -> e.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).map(Throwable::getMessage)
                .map(m -> m.equals("proxystage.promotion.sameAs=stagin names no stage of " + PIPELINE
                        + " (its stages: wip, prep, ship)")).orElse(false));
        assertThat(FakeEngine.STARTS).hasValue(0);
    }
}
