package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStage;
import dev.proxystage.ProxyStageAssertions;
import dev.proxystage.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** nginx's fastcgi_pass and uwsgi_pass in a real stage, answered by the echo backend as PHP-FPM and uWSGI would be. */
class FastCgiStageIT {

    private static final Path PIPELINE = Path.of("src/test/resources/fixtures/fastcgi/pipeline.yml");

    private final DockerClient docker = DockerClientFactory.instance().client();

    @AfterEach
    void nothingIsLeftBehind() {
        String pid = Long.toString(ProcessHandle.current().pid());
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.PID, pid)).exec()).isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of(Labels.PID + "=" + pid)).exec()).isEmpty();
    }

    @Test
    void phpRoutesPassOfflineAndADoubledParamIsSeen() {
        try (Stage stage = ProxyStage.pipeline(PIPELINE).profile("offline").stage("prep").start()) {
            // try_files finds no file in the nginx container and falls back to /index.php, as production does
            ProxyResponse front = stage.client().get("http://shop.example.com/products?page=2");
            ProxyStageAssertions.assertThat(front).hasStatus(200).wasRoutedTo("phpfpm");
            ProxyStageAssertions.assertThat(front).backendSaw()
                    .hasParam("SCRIPT_FILENAME", "/var/www/html/index.php")
                    .hasParam("SCRIPT_NAME", "/index.php")
                    .hasParam("QUERY_STRING", "page=2")
                    .hasHeader("Host", "shop.example.com")
                    .hasUri("/products?page=2")
                    .hasMethod("GET");
            assertThat(front.echo().orElseThrow().gateway().protocol()).isEqualTo("fastcgi");

            ProxyResponse post = stage.client().send(new Request.Builder().url("http://shop.example.com/cart.php")
                    .post(RequestBody.create("item=42", MediaType.get("application/x-www-form-urlencoded"))).build());
            ProxyStageAssertions.assertThat(post).hasStatus(200).wasRoutedTo("phpfpm");
            assertThat(post.echo().orElseThrow().request().body()).isEqualTo("item=42");
            ProxyStageAssertions.assertThat(post).backendSaw().hasParam("CONTENT_LENGTH", "7")
                    .hasParam("SCRIPT_FILENAME", "/var/www/html/cart.php");

            // the status helper answers through nginx's FastCGI module too
            ProxyStageAssertions.assertThat(stage.client().get("http://shop.example.com/__echo/status/503"))
                    .hasStatus(503).wasRoutedTo("phpfpm");

            ProxyResponse legacy = stage.client().get("http://shop.example.com/legacy/");
            ProxyStageAssertions.assertThat(legacy).hasStatus(200).wasRoutedTo("phpfpm");
            assertThat(legacy.echo().orElseThrow().gateway().paramValues("SCRIPT_FILENAME"))
                    .containsExactly("/var/www/html/legacy/", "/srv/legacy/index.php");
            assertThatThrownBy(() -> ProxyStageAssertions.assertThat(legacy).backendSaw()
                    .hasParam("SCRIPT_FILENAME", "/srv/legacy/index.php"))
                    .hasMessageContaining("but it received [/var/www/html/legacy/, /srv/legacy/index.php]");

            // the backend's second host name reaches the same container
            ProxyResponse internal = stage.client().get("http://shop.example.com/internal/x");
            ProxyStageAssertions.assertThat(internal).hasStatus(200).wasRoutedTo("phpfpm");
            ProxyStageAssertions.assertThat(internal).backendSaw().hasParam("SCRIPT_FILENAME", "/srv/internal.php");

            ProxyResponse api = stage.client().get("http://shop.example.com/api/items?id=7");
            ProxyStageAssertions.assertThat(api).hasStatus(200).wasRoutedTo("pyapp");
            assertThat(api.echo().orElseThrow().gateway().protocol()).isEqualTo("uwsgi");
            ProxyStageAssertions.assertThat(api).backendSaw().hasParam("QUERY_STRING", "id=7")
                    .hasHeader("Host", "shop.example.com");
        }
    }
}
