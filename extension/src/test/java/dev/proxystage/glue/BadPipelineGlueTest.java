package dev.proxystage.glue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A test class on a bad pipeline fails the way {@code check} reports it, one line per problem with file:line:column,
 * before the engine is asked for anything.
 */
class BadPipelineGlueTest {

    @TempDir
    Path dir;

    @BeforeEach
    void reset() throws IOException {
        FakeEngine.reset();
        Files.createDirectories(dir.resolve("conf.d"));
    }

    private static EngineExecutionResults run(Path pipeline, boolean fakeEngine) {
        var request = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", pipeline.toString())
                .selectors(DiscoverySelectors.selectClass(GlueFixtures.Routed.class));
        if (fakeEngine) {
            request.configurationParameter("proxystage.engine", FakeEngine.class.getName());
        }
        return request.execute();
    }

    private static String classFailure(EngineExecutionResults results) {
        results.testEvents().assertStatistics(s -> s.started(0));
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        Throwable failure = failed.get(0).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(ProxyStageException.class);
        assertThat(failure.getStackTrace()).as("no stack trace of internals").isEmpty();
        return failure.getMessage();
    }

    @Test
    void everyProblemIsOneLineAndNothingIsStarted() throws IOException {
        Path pipeline = Files.writeString(dir.resolve("pipeline.yml"), "stages: [prep]\n"
                + "nginx: {image: nginx, confDir: conf.d}\n"
                + "backends:\n  vaultwarden: {image: echo, port: 0, health: {timeout: 0s}}\n");

        assertThat(classFailure(run(pipeline, true)).lines()).containsExactly(
                pipeline + ":4:36: backends.vaultwarden.port must be a port number (1-65535), got '0'",
                pipeline + ":4:57: backends.vaultwarden.health.timeout must be more than 0 and at most 1h, got '0s'");
        assertThat(FakeEngine.STARTS).hasValue(0);
        assertThat(FakeEngine.EVENTS).isEmpty();
    }

    @Test
    void aLoadTimeFailureNeedsNoDockerEngine() throws IOException {
        Path pipeline = Files.writeString(dir.resolve("pipeline.yml"), "stages: [prep]\nx: &loop [*loop]\n");

        // The real runtime: the pipeline is refused before it looks for an engine, so this passes without Docker.
        assertThat(classFailure(run(pipeline, false)))
                .isEqualTo(pipeline + ":2:4: x[0] is an alias of a value that contains it (a recursive structure)");
    }
}
