package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init on shapes real projects have, which nginx accepts: it writes their backends instead of stopping. */
class InitShapesTest {

    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private ProjectInit.Plan plan(Optional<Path> main) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        return ProjectInit.plan(new ProjectInit.Request(dir.resolve("conf.d"), main, Map.of(), dir.resolve("out")));
    }

    @Test
    void everyServerInTheMainConfigAndNoConfDFile() throws IOException {
        Path main = write("nginx.conf", """
                events {}
                http {
                    include /etc/nginx/conf.d/*.conf;
                    server {
                        listen 80;
                        server_name app.example.com;
                        location / { proxy_pass http://app:8080; }
                    }
                }
                """);

        ProjectInit.Plan plan = plan(Optional.of(main));

        assertThat(plan.backends()).containsExactly("app");
        assertThat(plan.notes()).isEmpty();
    }
}
