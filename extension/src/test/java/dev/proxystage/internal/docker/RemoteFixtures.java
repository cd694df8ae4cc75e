package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Ports;
import dev.proxystage.PipelineStage;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What {@link RemoteEngineIT} runs on the second engine, in a JVM whose DOCKER_HOST names it: routing over TLS,
 * isolation of two stages, a test that fails on purpose, and what the engine shows of the stage's port bindings.
 * Lines starting with {@code fixture} are evidence for the IT.
 */
final class RemoteFixtures {

    private RemoteFixtures() {
    }

    @PipelineStage("prep")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Prep {

        @Test
        @Order(1)
        void routedOverTls(StageClient client, Stage stage) {
            System.out.println("fixture run " + stage.runId());
            System.out.println("fixture direct " + stage.backend("vaultwarden").orElseThrow().directUrl());
            assertThat(client.get("https://vw.example.com/")).hasStatus(200).wasRoutedTo("vaultwarden");
        }

        @Test
        @Order(2)
        void isolatedFromWip(Stage prep, @PipelineStage("wip") Stage wip) {
            System.out.println("fixture run " + wip.runId());
            prep.assertIsolatedFrom(wip);
            wip.assertIsolatedFrom(prep);
        }

        @Test
        @Order(3)
        void portBindingsOnTheEngine(Stage stage) {
            DockerClient docker = DockerEngine.at(EngineEndpoint.decide(EngineEndpoint.World.system(), Optional.empty())).client();
            List<Container> containers = docker.listContainersCmd()
                    .withLabelFilter(Map.of(Labels.RUN, stage.runId())).exec();
            assertThat(containers).isNotEmpty();
            for (Container container : containers) {
                Ports ports = docker.inspectContainerCmd(container.getId()).exec().getHostConfig().getPortBindings();
                ports.getBindings().forEach((exposed, bindings) -> {
                    for (Ports.Binding binding : bindings == null ? new Ports.Binding[0] : bindings) {
                        System.out.println("fixture binding " + container.getNames()[0] + " " + exposed + " "
                                + binding.getHostIp() + ":" + binding.getHostPortSpec());
                    }
                });
            }
        }

        @Test
        @Order(4)
        void failsOnPurpose(StageClient client) {
            assertThat(client.get("https://vw.example.com/teapot")).hasStatus(418);
        }
    }
}
