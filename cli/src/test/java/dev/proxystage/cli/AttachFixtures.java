package dev.proxystage.cli;

import static dev.proxystage.ProxyStageAssertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.PipelineStage;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** Test classes that {@link AttachRun} runs in a JVM of its own (their names keep failsafe from running them). */
public final class AttachFixtures {

    private AttachFixtures() {
    }

    @PipelineStage("prep")
    public static class Routed {

        @Test
        void routedThroughTheStage(Stage stage, StageClient client) {
            System.out.println("stage run " + stage.runId());
            assertThat(client.get("https://vw.example.com/")).hasStatus(200).wasRoutedTo("vaultwarden");
            // The trace came on nginx's stdout (a stage others attach to), but nginx's logs are its own lines only.
            Assertions.assertThat(stage.nginx().logs()).doesNotContain("proxystage-trace").contains("\"GET / HTTP/1.1\" 200");
        }

        @Test
        void theBackendIsReachedDirectly(Stage stage) throws Exception {
            String direct = stage.backend("vaultwarden").orElseThrow().directUrl();
            HttpResponse<String> alive = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(direct + "/alive")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Assertions.assertThat(alive.statusCode()).as(direct).isEqualTo(200);
        }
    }

    @PipelineStage("prep")
    public static class WrongRoute {

        @Test
        void expectsAnotherBackend(StageClient client) {
            assertThat(client.get("https://vw.example.com/wrong")).wasRoutedTo("admin");
        }
    }

    /**
     * nginx's stderr is its error log: every line of it is followed, even one that begins as a trace record does
     * (only stdout carries those). Written to nginx's own stderr (process 1's), as nginx writes it.
     */
    @PipelineStage("prep")
    public static class NginxStderr {

        static final String LINE = "proxystage-trace but written to nginx's stderr";

        @Test
        void everyStderrLineIsFollowed(Stage stage) throws Exception {
            System.out.println("stage run " + stage.runId());
            List<String> seen = new CopyOnWriteArrayList<>();
            try (AutoCloseable follow = stage.nginx().followLogs(seen::add)) {
                DockerClient docker = DockerClientFactory.instance().client();
                String exec = docker.execCreateCmd(stage.nginx().containerName())
                        .withCmd("sh", "-c", "echo \"" + LINE + "\" > /proc/1/fd/2").exec().getId();
                docker.execStartCmd(exec).start().awaitCompletion();
                // Followed from the first line on: it comes once the engine's log copier has it.
                for (int i = 0; i < 600 && !seen.contains(LINE); i++) {
                    Thread.sleep(50);
                }
            }
            Assertions.assertThat(seen).contains(LINE);
            System.out.println("stderr line followed");
        }
    }

    @PipelineStage("prep")
    public static class Isolated {

        @Test
        void theAttachedStageAndAFreshOneAreIsolatedBothWays(Stage prep, @PipelineStage("wip") Stage wip) {
            System.out.println("stage run " + prep.runId());
            prep.assertIsolatedFrom(wip);
            wip.assertIsolatedFrom(prep);
        }
    }
}
