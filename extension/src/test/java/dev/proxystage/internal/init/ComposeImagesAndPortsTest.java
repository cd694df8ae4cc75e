package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * What a compose file says about a backend's image and main port when it is not the plain case: an image whose
 * {@code ${VARIABLES}} are unset (a fresh clone without its .env), and a service nginx reaches on two ports.
 */
class ComposeImagesAndPortsTest {

    @TempDir
    Path project;

    private ProjectInit.Plan init(String conf, String compose) throws IOException {
        Path confD = Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(confD.resolve("site.conf"), conf);
        Files.writeString(project.resolve("docker-compose.yml"), compose);
        return ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), project.resolve("out"),
                new ProjectInit.Compose(Optional.empty(), true, false, Map.of())));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pipeline(ProjectInit.Plan plan) {
        return new Yaml().load(plan.content(ProjectInit.PIPELINE));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> backend(ProjectInit.Plan plan, String name) {
        return (Map<String, Object>) ((Map<String, Object>) pipeline(plan).get("backends")).get(name);
    }

    private static List<String> notes(ProjectInit.Plan plan) {
        return plan.notes().stream().map(ProjectInit.Note::text).toList();
    }

    @Test
    void anImageLeftIncompleteByUnsetVariablesIsNotWritten() throws IOException {
        ProjectInit.Plan plan = init("""
                upstream backend { server chat:8065; }
                server { listen 80; location / { proxy_pass http://backend; } }
                """, """
                services:
                  chat:
                    image: example/${CHAT_IMAGE}:${CHAT_TAG}
                  nginx:
                    image: nginx:${NGINX_TAG}
                    volumes:
                      - ./conf.d:/etc/nginx/conf.d:ro
                """);

        // "example/:" and "nginx:" are what compose would hand the engine, which refuses both
        assertThat(backend(plan, "chat")).containsEntry("image", "echo");
        assertThat(((Map<?, ?>) pipeline(plan).get("nginx")).get("image")).isEqualTo(ProjectInit.NGINX_IMAGE);
        assertThat(notes(plan)).anySatisfy(n -> assertThat(n).contains("'example/:' is no image reference"))
                .anySatisfy(n -> assertThat(n).contains("'nginx:', which is no image reference"));
        assertThat(plan.composeImages()).isZero();
    }

    @Test
    void theDeclaredPortIsTheMainOneOfABackendReachedOnTwo() throws IOException {
        ProjectInit.Plan plan = init("""
                upstream app { server web:8069; }
                upstream appchat { server web:8072; }
                server {
                    listen 80;
                    server_name erp.example.com;
                    location /websocket { proxy_pass http://appchat; }
                    location / { proxy_pass http://app; }
                }
                """, """
                services:
                  web:
                    image: example/erp:17.0
                    ports:
                      - "8069:8069"
                """);

        assertThat(backend(plan, "web")).containsEntry("port", 8069);
        assertThat(plan.content(ProjectInit.PIPELINE)).contains("port: 8069   # also reached on 8072");
        assertThat(notes(plan)).noneSatisfy(n -> assertThat(n).contains("declares the container ports"))
                .anySatisfy(n -> assertThat(n).contains("is also reached on port 8072; pipeline.yml names port 8069"));
    }
}
