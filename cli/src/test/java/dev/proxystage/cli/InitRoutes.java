package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.PipelineStage;
import dev.proxystage.StageClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.Yaml;

/** Fixture for {@link InitIT} (run through EngineTestKit): the stage of a pipeline that init wrote. */
final class InitRoutes {

    private InitRoutes() {
    }

    /** Set by the IT before the run: the routes.yml init wrote. */
    static volatile Path routesFile;

    @PipelineStage("prep")
    static class EveryRoute {

        @TestFactory
        Stream<DynamicTest> everyGeneratedRouteReachesItsBackend(StageClient client) {
            return routes().entrySet().stream().map(route -> DynamicTest.dynamicTest(route.getKey(), () -> {
                String url = route.getKey().substring("GET ".length());
                assertThat(client.get(url)).wasRoutedTo(route.getValue());
            }));
        }

        @Test
        void theShapesOfTheTree(StageClient client) {
            assertThat(client.get("https://matrix.example.com/_matrix/client/versions")).wasRoutedTo("synapse");
            assertThat(client.get("https://matrix.example.com/")).wasRoutedTo("element");
            assertThat(client.get("https://photos.example.com/")).wasRoutedTo("immich-server");
            assertThat(client.get("https://vault.example.com/notifications/hub")).wasRoutedTo("vaultwarden");
            assertThat(client.get("https://bucket.s3.example.com/")).wasRoutedTo("minio");
            assertThat(client.get("https://proxystage.pages.example.com/")).wasRoutedTo("pages");
        }
    }

    @PipelineStage("prep")
    static class WrongBackend {

        @Test
        void matrixRootIsNotSynapse(StageClient client) {
            assertThat(client.get("https://matrix.example.com/")).wasRoutedTo("synapse");
        }
    }

    /** routes.yml's active routes: request to backend. */
    @SuppressWarnings("unchecked")
    static Map<String, String> routes() {
        try {
            Map<String, Object> root = new Yaml().load(Files.readString(routesFile));
            Map<String, String> routes = new LinkedHashMap<>();
            for (Map<String, Object> route : (List<Map<String, Object>>) root.get("routes")) {
                routes.put((String) route.get("request"), (String) ((Map<String, Object>) route.get("expect")).get("backend"));
            }
            return routes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
