package dev.proxystage.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stage publishes and waits on the ports nginx listens on from outside its container, never a loopback-only one. */
class PublishedPortsTest {

    @TempDir
    Path dir;

    private StagePlan plan(String conf) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/app.conf"), conf);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                backends:
                  app: {image: echo, port: 8080}
                """);
        StageDefinition prep = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        return StagePlan.checked(prep, false);
    }

    @Test
    void aLoopbackListenerIsNeitherPublishedNorWaitedOn() throws IOException {
        StagePlan plan = plan("""
                server {
                    listen 127.0.0.1:65510;
                    location / { proxy_pass http://app:8080; }
                }
                server {
                    listen 80;
                    location / { proxy_pass http://127.0.0.1:65510; }
                }
                """);

        assertThat(plan.nginxPorts()).containsExactly(80);
        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void withOnlyLoopbackListenersTheStagePlansNoPortAndWarnsOnce() throws IOException {
        StagePlan plan = plan("server {\n    listen 127.0.0.1:65510;\n    location / { proxy_pass http://app:8080; }\n}\n");

        assertThat(plan.nginxPorts()).isEmpty();
        assertThat(plan.warnings()).singleElement().asString().contains("no server listens outside the nginx container");
    }
}
