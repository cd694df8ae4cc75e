package dev.proxystage.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ports a backend serves on are the merged ones: the offline overlay's {@code ports:} count as init writes them. */
class OverlayPortsTest {

    @TempDir
    Path dir;

    private Path site;

    @BeforeEach
    void project() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        site = dir.resolve("conf.d/php.conf");
        Files.writeString(site, """
                server {
                    listen 80;
                    location / { fastcgi_pass phpfpm:9001; }
                    location /status { fastcgi_pass phpfpm:9002; }
                }
                """);
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                backends:
                  phpfpm: {image: echo, port: 9001}
                """);
        Files.writeString(dir.resolve("pipeline-offline.yml"), """
                nginx: {image: proxystage/nginx:offline}
                backends:
                  phpfpm:
                    image: echo
                    ports: [9001, 9002]
                """);
    }

    private List<String> problems(Optional<String> profile) {
        StageDefinition prep = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), profile).stage("prep");
        return StagePlan.check(prep, NginxConfig.parse(prep.nginx().parseRequest())).stream().map(Problem::toString)
                .toList();
    }

    @Test
    void theOverlaysPortsAreServedPorts() {
        assertThat(problems(Optional.of("offline"))).isEmpty();
    }

    @Test
    void withoutTheOverlayTheSecondPortIsNotServed() {
        assertThat(problems(Optional.empty())).containsExactly(site + ":4: fastcgi_pass sends to phpfpm:9002, but"
                + " backend 'phpfpm' of stage 'prep' serves on port 9001 (its port in the pipeline)");
    }

    @Test
    void aPortNoneOfThemServesNamesThemAll() throws IOException {
        Files.writeString(site, "server {\n    listen 80;\n    location / { fastcgi_pass phpfpm:9003; }\n}\n");

        assertThat(problems(Optional.of("offline"))).containsExactly(site + ":3: fastcgi_pass sends to phpfpm:9003,"
                + " but backend 'phpfpm' of stage 'prep' serves on ports 9001, 9002 (its port and ports in the"
                + " pipeline)");
    }
}
