package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.proxystage.internal.docker.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/**
 * The project init writes for the multi-app tree runs as is: check is clean, and a stage of it (offline profile: 38
 * echo backends) routes every generated route, and a few more requests, to the backend init named.
 */
class InitIT {

    @TempDir
    Path dir;

    @Test
    void theGeneratedProjectChecksCleanAndEveryRouteReachesItsBackend() throws IOException {
        Path tree = InitCommandTest.copyTree(dir);
        CliRun init = InitCommandTest.init(tree);
        assertThat(init.exitCode()).as(init.toString()).isEqualTo(Main.OK);
        Path pipeline = tree.resolve("pipeline.yml");

        CliRun check = CliRun.of("check", "--config", pipeline.toString(), "--profile", "offline", "--stage", "prep");
        assertThat(check.exitCode()).as(check.toString()).isEqualTo(Main.OK);
        assertThat(check.out()).isEmpty();

        InitRoutes.routesFile = tree.resolve("routes.yml");
        int routes = InitRoutes.routes().size();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", pipeline.toString())
                .configurationParameter("proxystage.profile", "offline")
                .selectors(DiscoverySelectors.selectClass(InitRoutes.EveryRoute.class),
                        DiscoverySelectors.selectClass(InitRoutes.WrongBackend.class))
                .execute();

        assertThat(routes).isEqualTo(49);
        // Named first, so a route that fails says which one and why.
        assertThat(results.testEvents().failed().stream().map(e -> e.getTestDescriptor().getDisplayName() + ": "
                + e.getRequiredPayload(TestExecutionResult.class).getThrowable()
                .map(Throwable::getMessage).orElse("")))
                .singleElement().asString().startsWith("matrixRootIsNotSynapse");
        results.testEvents().assertStatistics(stats -> stats.started(routes + 2).succeeded(routes + 1).failed(1));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("matrixRootIsNotSynapse"),
                finishedWithFailure(message(m -> m.contains("https://matrix.example.com/")
                        && m.contains("to be routed to synapse@prep")))));
        assertThat(stageContainers()).isEmpty();
    }

    static final Path SHAPES = Path.of("../extension/src/test/resources/init/shapes").toAbsolutePath().normalize();

    /**
     * The shapes real stacks have: default servers reached through default.proxystage.invalid (plain, and TLS with the
     * host in the certificate through tls.testNames), try_files to named locations, a server-level redirect for one
     * path, the PHP front controller through try_files and fastcgi_pass. Every active route reaches its backend in a
     * real stage (nginx's routing trace says where it went, whatever the echo answers over FastCGI).
     */
    @Test
    void theShapesTreesRoutesReachTheirBackendsInAStage() throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        try (var files = Files.list(SHAPES.resolve("conf.d"))) {
            for (Path f : files.toList()) {
                Files.copy(f, confD.resolve(f.getFileName().toString()));
            }
        }
        CliRun init = CliRun.of("init", "--conf-d", confD.toString(), "--out", dir.toString());
        assertThat(init.exitCode()).as(init.toString()).isEqualTo(Main.OK);
        Path pipeline = dir.resolve("pipeline.yml");
        CliRun check = CliRun.of("check", "--config", pipeline.toString(), "--profile", "offline", "--stage", "prep");
        assertThat(check.exitCode()).as(check.toString()).isEqualTo(Main.OK);

        InitRoutes.routesFile = dir.resolve("routes.yml");
        Map<String, String> routes = InitRoutes.routes();
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", pipeline.toString())
                .configurationParameter("proxystage.profile", "offline")
                .selectors(DiscoverySelectors.selectMethod(InitRoutes.EveryRoute.class,
                        "everyGeneratedRouteReachesItsBackend", "dev.proxystage.StageClient"))
                .execute();

        assertThat(routes).containsEntry("GET http://default.proxystage.invalid/", "frontend")
                .containsEntry("GET https://default.proxystage.invalid:8443/", "edge")
                .containsEntry("GET https://default.proxystage.invalid:9443/", "vault")
                .containsEntry("GET http://default.proxystage.invalid:8080/", "webserver")
                .containsEntry("GET http://shop.example.org/", "php-fpm")
                .hasSize(9);
        assertThat(results.containerEvents().failed().stream().map(e -> e.getTestDescriptor().getDisplayName() + ": "
                + e.getRequiredPayload(TestExecutionResult.class).getThrowable()
                .map(Throwable::getMessage).orElse(""))).isEmpty();
        assertThat(results.testEvents().failed().stream().map(e -> e.getTestDescriptor().getDisplayName() + ": "
                + e.getRequiredPayload(TestExecutionResult.class).getThrowable()
                .map(Throwable::getMessage).orElse(""))).isEmpty();
        results.testEvents().assertStatistics(stats -> stats.started(routes.size()).succeeded(routes.size()));
        assertThat(stageContainers()).isEmpty();
    }

    /** Containers this JVM's stages made that are still on the engine. */
    private static List<String> stageContainers() {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withFilter("label", List.of(Labels.PID + "=" + ProcessHandle.current().pid(), Labels.STAGE + "=prep"))
                .exec().stream().map(c -> c.getNames()[0]).toList();
    }
}
