package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import dev.proxystage.ProxyStageException;
import dev.proxystage.StageDiagnostics;
import dev.proxystage.fixtures.FixtureRuns;
import dev.proxystage.fixtures.IsolationFixtures;
import dev.proxystage.fixtures.MatrixFixtures;
import dev.proxystage.fixtures.RoutingFixtures;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Events;
import org.testcontainers.DockerClientFactory;

/** Runs fixture test classes through the real extension and real Docker, and checks their outcomes. */
class PipelineStageExtensionIT {

    private static final String ROUTING = "src/test/resources/fixtures/routing/pipeline.yml";

    private final DockerClient docker = DockerClientFactory.instance().client();

    private static EngineExecutionResults run(String config, Map<String, String> parameters, Class<?>... classes) {
        return FixtureRuns.run(config, parameters, classes);
    }

    @AfterEach
    void nothingIsLeftBehind() {
        Map<String, String> ours = Map.of(Labels.PID, Long.toString(ProcessHandle.current().pid()));
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(ours).exec()).isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of(Labels.PID + "=" + ProcessHandle.current().pid())).exec()).isEmpty();
        assertThat(docker.listVolumesCmd().withFilter("label", List.of(Labels.PID + "=" + ProcessHandle.current().pid())).exec().getVolumes())
                .isNullOrEmpty();
    }

    @Test
    void correctRoutesPassAndAWrongRouteFailsWithItsTraceAndLogs() {
        EngineExecutionResults results = run(ROUTING, Map.of(), RoutingFixtures.CorrectRoute.class, RoutingFixtures.WrongRoute.class);

        Events tests = results.testEvents();
        tests.assertStatistics(stats -> stats.started(4).succeeded(3).failed(1));
        Throwable failure = tests.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected GET http://wrong.example.com/ → 200")
                .hasMessageMatching("(?s).*to be routed to vaultwarden@prep but it went: GET http://wrong.example.com/ "
                        + "→ server wrong.example.com \\(\\S+/fixtures/routing/conf.d/apps.conf:28\\) "
                        + "→ [0-9.]+:8080 = admin@prep, upstream 200 \\(\\d+ ms\\).*");
        // The failure carries where the request went and what the containers logged meanwhile.
        assertThat(failure.getSuppressed()).singleElement().isInstanceOf(StageDiagnostics.class)
                .extracting(Throwable::getMessage).asString()
                .contains("ProxyStage diagnostics for stage prep")
                .containsPattern("GET http://wrong.example.com/ → server wrong.example.com \\(\\S+apps.conf:28\\) → [0-9.]+:8080 = admin@prep")
                .containsPattern("\\[nginx-rp-prep-[0-9a-f]{8}\\] .*\"GET / HTTP/1.1\" 200")
                .containsPattern("\\[admin-prep-[0-9a-f]{8}\\] echo prep/admin .*\"GET / HTTP/1.[01]\" 200");
        // Passing tests stay quiet: the one report entry is the failing test's.
        assertThat(results.allEvents().reportingEntryPublished().count()).isEqualTo(1);
    }

    @Test
    void routingEvidenceWorksWithAnyBackendImage() {
        EngineExecutionResults results = run(ROUTING, Map.of(), RoutingFixtures.NonEchoBackend.class,
                RoutingFixtures.WrongRouteToStaticBackend.class);

        results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
        results.testEvents().failed().assertThatEvents().haveExactly(1, event(test("staticHostReachesVaultwarden"),
                finishedWithFailure(message(m -> m.matches("(?s).*to be routed to vaultwarden@prep but it went: "
                        + "GET http://static.example.com/ → server static.example.com \\(\\S+apps.conf:19\\) → [0-9.]+:80 = static@prep.*")))));
    }

    @Test
    void hasNoNginxErrorsFailsOnAnUpstreamError() {
        EngineExecutionResults results = run(ROUTING, Map.of(), RoutingFixtures.NginxErrors.class);

        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
        results.testEvents().failed().assertThatEvents().haveExactly(1, event(test("upstreamClosingTheConnectionIsAnNginxError"),
                finishedWithFailure(message(m -> m.contains("to log nothing at [error] or worse during this test")
                        && m.contains("[error]") && m.contains("upstream prematurely closed connection")))));
    }

    @Test
    void classesOfOneStageShareOneEnvironmentAndStagesAreIsolated() {
        Instant since = Instant.now();
        EngineExecutionResults results = run(ROUTING, Map.of(), RoutingFixtures.CorrectRoute.class,
                RoutingFixtures.SecondPrepClass.class, RoutingFixtures.WipStage.class);

        results.testEvents().assertStatistics(stats -> stats.started(5).succeeded(5));
        // prep and wip each started once (3 backends + nginx each), however many classes used prep.
        assertThat(containerStartsSince(since)).hasSize(8)
                .filteredOn(name -> name.contains("-prep-")).hasSize(4);
    }

    @Test
    void unannotatedStageComesFromThePropertyOrTheDefault() {
        System.setProperty("fixture.expectedStage", "wip");
        try {
            run(ROUTING, Map.of("proxystage.stage", "wip"), RoutingFixtures.SelectedStage.class)
                    .testEvents().assertStatistics(stats -> stats.succeeded(1));
        } finally {
            System.clearProperty("fixture.expectedStage");
        }
        run(ROUTING, Map.of(), RoutingFixtures.SelectedStage.class).testEvents().assertStatistics(stats -> stats.succeeded(1));
    }

    @Test
    void unknownStageFailsTheClassWithTheKnownStages() {
        Events containers = run(ROUTING, Map.of(), RoutingFixtures.UnknownStage.class).containerEvents();

        containers.assertThatEvents().haveExactly(1, event(finishedWithFailure(instanceOf(ProxyStageException.class),
                message("stage 'prp' is not in pipeline.yml (known: wip, prep)"))));
    }

    @Test
    void nginxTestFailureCarriesNginxsMessage() {
        Events containers = run("src/test/resources/fixtures/broken-nginx/pipeline.yml", Map.of(),
                RoutingFixtures.SelectedStage.class).containerEvents();

        containers.assertThatEvents().haveExactly(1, event(finishedWithFailure(instanceOf(ProxyStageException.class),
                // The static check refuses it and nginx -t confirms, before any backend starts.
                message(m -> m.contains("nginx -t in proxystage/nginx:offline, before stage prep started")
                        && m.contains("unknown directive \"proxy_buffer_sise\"")
                        // nginx's container path, mapped back to the file the user edits
                        && m.contains(Path.of("src/test/resources/fixtures/broken-nginx/conf.d/vaultwarden.conf")
                                .toAbsolutePath() + ":6")))));
    }

    @Test
    void backendThatExitsIsReportedAtOnceWithItsExitCode() {
        long started = System.nanoTime();
        Events containers = run("src/test/resources/fixtures/exiting-backend/pipeline.yml", Map.of(),
                RoutingFixtures.SelectedStage.class).containerEvents();

        containers.assertThatEvents().haveExactly(1, event(finishedWithFailure(instanceOf(ProxyStageException.class),
                message(m -> m.startsWith("backend 'vaultwarden' (vaultwarden-prep-") && m.contains("exited with code 0")
                        && m.contains("last log lines")))));
        // Far inside its 120 s health timeout: the exit is noticed, not waited out.
        assertThat((System.nanoTime() - started) / 1_000_000_000).isLessThan(60);
    }

    @Test
    void forEachStageRunsAMethodOncePerStage() {
        EngineExecutionResults results = run(ROUTING, Map.of(), MatrixFixtures.MethodMatrix.class);

        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(results.testEvents().started().stream().map(e -> e.getTestDescriptor().getDisplayName()))
                .containsExactly("stage wip", "stage prep");
    }

    @Test
    void forEachStageRunsAClassOncePerStage() {
        EngineExecutionResults results = run(ROUTING, Map.of(), MatrixFixtures.ClassMatrix.class);

        results.testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));
        assertThat(results.containerEvents().started().stream().map(e -> e.getTestDescriptor().getDisplayName()))
                .contains("stage wip", "stage prep");
    }

    @Test
    void theMatrixCanBeNarrowedFromTheCommandLine() {
        Instant since = Instant.now();
        EngineExecutionResults results = run(ROUTING, Map.of("proxystage.stages", "prep"),
                MatrixFixtures.MethodMatrix.class, MatrixFixtures.ClassMatrix.class);

        results.testEvents().assertStatistics(stats -> stats.started(3).succeeded(3));
        assertThat(containerStartsSince(since)).isNotEmpty().allMatch(name -> name.contains("-prep-"));
    }

    @Test
    void aMatrixStageMustExist() {
        EngineExecutionResults results = run(ROUTING, Map.of(), MatrixFixtures.UnknownStageInMatrix.class);

        results.allEvents().assertThatEvents().haveAtLeastOne(event(finishedWithFailure(instanceOf(ProxyStageException.class),
                message("stage 'stagin' is not in pipeline.yml (known: wip, prep)"))));
        results.testEvents().assertStatistics(stats -> stats.started(0));
    }

    @Test
    void parallelClassesShareOneEnvironmentPerStage() {
        Instant since = Instant.now();
        EngineExecutionResults results = run(ROUTING, Map.of(
                        "junit.jupiter.execution.parallel.enabled", "true",
                        "junit.jupiter.execution.parallel.mode.default", "concurrent",
                        "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
                        "junit.jupiter.execution.parallel.config.strategy", "fixed",
                        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"),
                RoutingFixtures.CorrectRoute.class, RoutingFixtures.SecondPrepClass.class, RoutingFixtures.WipStage.class,
                RoutingFixtures.NonEchoBackend.class, MatrixFixtures.ClassMatrix.class);

        results.testEvents().assertStatistics(stats -> stats.started(11).succeeded(11));
        // Two stages came up concurrently, each exactly once (3 backends and nginx each).
        assertThat(containerStartsSince(since)).hasSize(8).filteredOn(name -> name.contains("-wip-")).hasSize(4);
    }

    @Test
    void aBackendThatDiesMidSuiteFailsTheNextTestWithTheReason() {
        EngineExecutionResults results = run(ROUTING, Map.of(), MatrixFixtures.BackendDiesMidSuite.class);

        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
        results.testEvents().failed().assertThatEvents().haveExactly(1, event(test("nextTestOnTheStage"),
                finishedWithFailure(instanceOf(ProxyStageException.class), message(m -> m.startsWith(
                        "stage 'prep' is no longer whole: backend 'vaultwarden' (vaultwarden-prep-")
                        && m.contains("exited with code 137")
                        && m.contains("-Dproxystage.restartDeadStages=true")))));
    }

    @Test
    void stagesAreIsolatedAndALeakIsCaught() {
        run(ROUTING, Map.of(), IsolationFixtures.WipAndPrepAreIsolated.class)
                .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));

        run(ROUTING, Map.of(), IsolationFixtures.LeakyNetwork.class).testEvents().failed().assertThatEvents()
                .haveExactly(1, event(finishedWithFailure(instanceOf(AssertionError.class), message(m ->
                        m.startsWith("stage wip is not isolated from stage prep:")
                                && m.matches("(?s).*nginx-rp-wip-[0-9a-f]{8} reaches vaultwarden@prep at [0-9.]+:80.*")))));
    }

    @Test
    void backendVersionsRunPerStageAndSideBySide() {
        run("src/test/resources/fixtures/versions/pipeline.yml", Map.of(),
                IsolationFixtures.TwoVersionsSideBySide.class, IsolationFixtures.PerStageImage.class)
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    @Test
    void aWholeTreeWithAMainConfigAndSnippetsOutsideConfDRuns() {
        run("src/test/resources/fixtures/maintree/pipeline.yml", Map.of(), RoutingFixtures.WholeTree.class)
                .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    /** Names of this JVM's containers that Docker started since {@code since}, from Docker's event log. */
    private List<String> containerStartsSince(Instant since) {
        List<String> names = new CopyOnWriteArrayList<>();
        try {
            docker.eventsCmd()
                    .withSince(since.getEpochSecond() + "." + String.format("%09d", since.getNano()))
                    .withUntil(Long.toString(Instant.now().getEpochSecond() + 1))
                    .withEventFilter("start")
                    .withLabelFilter(Map.of(Labels.PID, Long.toString(ProcessHandle.current().pid())))
                    .exec(new ResultCallback.Adapter<Event>() {
                        @Override
                        public void onNext(Event event) {
                            names.add(event.getActor().getAttributes().get("name"));
                        }
                    })
                    .awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return names;
    }
}
