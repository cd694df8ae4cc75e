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

/** A stage's plan names the files nginx reads at start that nothing places; nginx.files places a single file too. */
class PlacedFilesTest {

    @TempDir
    Path dir;

    private Path site;

    @BeforeEach
    void project() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.createDirectories(dir.resolve("certs"));
        Files.writeString(dir.resolve("certs/dhparams.pem"), "-----BEGIN DH PARAMETERS-----\n");
        site = dir.resolve("conf.d/app.conf");
        Files.writeString(site, """
                server {
                    listen 443 ssl;
                    server_name app.example.com;
                    ssl_certificate /etc/nginx/certs/app.crt;
                    ssl_certificate_key /etc/nginx/certs/app.key;
                    ssl_dhparam /etc/nginx/dhparams.pem;
                    location / { proxy_pass http://app:8080; }
                }
                """);
    }

    private List<Problem> problems(String files) throws IOException {
        Files.writeString(dir.resolve("pipeline.yml"), """
                stages: [prep]
                nginx:
                  image: nginx:1.27.3
                  confDir: conf.d
                """ + files + """
                backends:
                  app: {image: echo, port: 8080}
                """);
        StageDefinition prep = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        return StagePlan.check(prep, NginxConfig.parse(prep.nginx().parseRequest()));
    }

    @Test
    void aDhparamNothingPlacesStopsThePlanAtItsLine() throws IOException {
        assertThat(problems("")).singleElement().satisfies(p -> {
            assertThat(p.isError()).isTrue();
            assertThat(p.toString()).startsWith(site + ":6: \"ssl_dhparam\" reads /etc/nginx/dhparams.pem, which"
                    + " nothing places in the nginx container;");
        });
    }

    @Test
    void nginxFilesPlacesASingleFile() throws IOException {
        assertThat(problems("  files:\n    /etc/nginx/dhparams.pem: certs/dhparams.pem\n")).isEmpty();
    }
}
