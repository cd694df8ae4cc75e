package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.DataSpec;
import dev.proxystage.internal.config.HealthCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where published ports are bound and reached, decided from the engine's address without asking Testcontainers. */
class DockerEngineTest {

    @Test
    void aLocalSocketOrPipePublishesOnLoopback() {
        assertThat(DockerEngine.publishedHost("unix:///var/run/docker.sock", Optional.empty())).isEqualTo("127.0.0.1");
        assertThat(DockerEngine.publishedHost("npipe:////./pipe/docker_engine", Optional.empty())).isEqualTo("127.0.0.1");
        assertThat(DockerEngine.publishedHost("tcp://localhost:2375", Optional.empty())).isEqualTo("127.0.0.1");
    }

    @Test
    void aTcpEngineIsReachedOnItsOwnAddress() {
        assertThat(DockerEngine.publishedHost("tcp://10.213.7.2:2376", Optional.empty())).isEqualTo("10.213.7.2");
        assertThat(DockerEngine.publishedHost("tcp://ci-docker:2376", Optional.empty())).isEqualTo("ci-docker");
        assertThat(DockerEngine.isLocal("tcp://10.213.7.2:2376")).isFalse();
        assertThat(DockerEngine.isLocal("unix:///run/user/1000/docker.sock")).isTrue();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(DockerEngine.publishedHost("tcp://ci-docker:2376", Optional.of("192.168.5.9"))).isEqualTo("192.168.5.9");
        assertThat(DockerEngine.publishedHost("unix:///var/run/docker.sock", Optional.of("10.0.0.4"))).isEqualTo("10.0.0.4");
    }

    @Test
    void thePublishHostSettingIsReadAtTheEdge() {
        Settings settings = Settings.from(name -> name.equals(Settings.PUBLISH_HOST) ? Optional.of(" 10.1.2.3 ") : Optional.empty());
        assertThat(settings.publishHost()).contains("10.1.2.3");
        assertThat(Settings.defaults().publishHost()).isEmpty();
        assertThat(settings.toBuilder().profile("offline").build().publishHost()).contains("10.1.2.3");
    }

    @Test
    void aHostDirectoryOnARemoteEngineIsRefusedInOneLine() {
        DockerEngine.Endpoint remote = new DockerEngine.Endpoint("tcp://10.213.7.2:2376", "DOCKER_HOST", "10.213.7.2");
        BackendSpec persisted = backend(Optional.of(new DataSpec("/data", Optional.of(Path.of("/srv/data/vw-prep")),
                Optional.empty(), false)));

        assertThatThrownBy(() -> DockerStageEngine.requireNoHostDirectory(persisted, "prep", remote))
                .isInstanceOf(ProxyStageException.class)
                .hasMessageContaining("backend 'vaultwarden' of stage prep")
                .hasMessageContaining("/srv/data/vw-prep")
                .hasMessageContaining("tcp://10.213.7.2:2376 (DOCKER_HOST)")
                .hasMessageContaining("drop persist/hostPath")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aFreshVolumeOnARemoteEngineIsFine() {
        DockerEngine.Endpoint remote = new DockerEngine.Endpoint("tcp://10.213.7.2:2376", "DOCKER_HOST", "10.213.7.2");
        BackendSpec fresh = backend(Optional.of(new DataSpec("/data", Optional.empty(), Optional.of(Path.of("seed")), false)));

        DockerStageEngine.requireNoHostDirectory(fresh, "prep", remote);
        DockerStageEngine.requireNoHostDirectory(backend(Optional.empty()), "prep", remote);
        assertThat(remote.local()).isFalse();
    }

    private static BackendSpec backend(Optional<DataSpec> data) {
        return new BackendSpec("vaultwarden", "vaultwarden", "echo", 80, new HealthCheck("/", Duration.ofSeconds(5)), data,
                Map.of(), List.of(), Set.of(), List.of());
    }
}
