package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStage;
import dev.proxystage.ProxyStageAssertions;
import dev.proxystage.Stage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A main nginx.conf that says {@code daemon off;} starts (no second one on the command line), and a server only on
 * the container's loopback is neither published nor waited on, while a pass to it works.
 */
class ForegroundStartIT {

    @Test
    void daemonOffInTheMainConfigAndALoopbackListenerStart() {
        try (Stage stage = ProxyStage.pipeline(Path.of("src/test/resources/fixtures/foreground/pipeline.yml"))
                .profile("offline").stage("prep").start()) {
            assertThat(stage.nginx().mappedPorts()).containsOnlyKeys(80);

            ProxyStageAssertions.assertThat(stage.client().get("http://app.example.com/")).hasStatus(200)
                    .wasRoutedTo("vaultwarden");
            ProxyResponse inner = stage.client().get("http://app.example.com/inner");
            ProxyStageAssertions.assertThat(inner).hasStatus(200);
            assertThat(inner.body()).isEqualTo("inner\n");
        }
    }
}
