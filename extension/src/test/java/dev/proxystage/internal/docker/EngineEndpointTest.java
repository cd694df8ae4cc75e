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
import dev.proxystage.internal.docker.EngineEndpoint.World;
import org.junit.jupiter.api.Test;

/** The engine's address, its TLS files and where published ports are bound and reached: decided from a world given in. */
class EngineEndpointTest {

    @Test
    void aLocalSocketOrPipePublishesOnLoopback() {
        assertThat(EngineEndpoint.publishedHost("unix:///var/run/docker.sock", Optional.empty())).isEqualTo("127.0.0.1");
        assertThat(EngineEndpoint.publishedHost("npipe:////./pipe/docker_engine", Optional.empty())).isEqualTo("127.0.0.1");
        assertThat(EngineEndpoint.publishedHost("tcp://localhost:2375", Optional.empty())).isEqualTo("127.0.0.1");
    }

    @Test
    void aTcpEngineIsReachedOnItsOwnAddress() {
        assertThat(EngineEndpoint.publishedHost("tcp://10.213.7.2:2376", Optional.empty())).isEqualTo("10.213.7.2");
        assertThat(EngineEndpoint.publishedHost("tcp://ci-docker:2376", Optional.empty())).isEqualTo("ci-docker");
        assertThat(EngineEndpoint.isLocal("tcp://10.213.7.2:2376")).isFalse();
        assertThat(EngineEndpoint.isLocal("unix:///run/user/1000/docker.sock")).isTrue();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(EngineEndpoint.publishedHost("tcp://ci-docker:2376", Optional.of("192.168.5.9"))).isEqualTo("192.168.5.9");
        assertThat(EngineEndpoint.publishedHost("unix:///var/run/docker.sock", Optional.of("10.0.0.4"))).isEqualTo("10.0.0.4");
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
        EngineEndpoint remote = new EngineEndpoint("tcp://10.213.7.2:2376", "DOCKER_HOST", "10.213.7.2", Optional.empty());
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
        EngineEndpoint remote = new EngineEndpoint("tcp://10.213.7.2:2376", "DOCKER_HOST", "10.213.7.2", Optional.empty());
        BackendSpec fresh = backend(Optional.of(new DataSpec("/data", Optional.empty(), Optional.of(Path.of("seed")), false)));

        DockerStageEngine.requireNoHostDirectory(fresh, "prep", remote);
        DockerStageEngine.requireNoHostDirectory(backend(Optional.empty()), "prep", remote);
        assertThat(remote.local()).isFalse();
    }

    @Test
    void withNothingConfiguredItIsTheSystemSocket() {
        EngineEndpoint endpoint = EngineEndpoint.decide(world().file("/var/run/docker.sock", ""), Optional.empty());

        assertThat(endpoint).isEqualTo(new EngineEndpoint("unix:///var/run/docker.sock", "default", "127.0.0.1", Optional.empty()));
        assertThat(endpoint.local()).isTrue();
    }

    @Test
    void withoutTheSystemSocketARootlessOneOfThisUserIsTaken() {
        FakeWorld world = world().env("XDG_RUNTIME_DIR", "/run/user/1000").file("/run/user/1000/docker.sock", "");

        assertThat(EngineEndpoint.decide(world, Optional.empty()).dockerHost()).isEqualTo("unix:///run/user/1000/docker.sock");
        assertThat(EngineEndpoint.decide(world(), Optional.empty()).dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    }

    @Test
    void dockerHostWithTlsVariablesIsARemoteEngineReachedOverTls() {
        FakeWorld world = world().env("DOCKER_HOST", " tcp://10.213.7.2:2376 ").env("DOCKER_TLS_VERIFY", "1")
                .env("DOCKER_CERT_PATH", "/srv/certs");

        assertThat(EngineEndpoint.decide(world, Optional.empty())).isEqualTo(new EngineEndpoint("tcp://10.213.7.2:2376",
                "DOCKER_HOST", "10.213.7.2", Optional.of(Path.of("/srv/certs"))));
        assertThat(EngineEndpoint.decide(world.env("DOCKER_CERT_PATH", ""), Optional.empty()).tlsCertificates())
                .contains(Path.of("/home/user/.docker"));
        assertThat(EngineEndpoint.decide(world.env("DOCKER_TLS_VERIFY", "0"), Optional.empty()).tlsCertificates()).isEmpty();
    }

    @Test
    void testcontainersSettingsComeInTestcontainersOrder() {
        FakeWorld world = world().env("DOCKER_HOST", "tcp://10.0.0.2:2375")
                .property("docker.host", "tcp://10.0.0.3:2375").property("tc.host", "tcp://10.0.0.1:2375");

        assertThat(EngineEndpoint.decide(world, Optional.empty()).toString()).isEqualTo("tcp://10.0.0.1:2375 (tc.host)");
        assertThat(EngineEndpoint.decide(world.property("tc.host", ""), Optional.empty()).toString())
                .isEqualTo("tcp://10.0.0.2:2375 (DOCKER_HOST)");
        assertThat(EngineEndpoint.decide(world.property("tc.host", "").env("DOCKER_HOST", ""), Optional.empty()).toString())
                .isEqualTo("tcp://10.0.0.3:2375 (docker.host in ~/.testcontainers.properties)");
        assertThat(EngineEndpoint.decide(world().env("TESTCONTAINERS_DOCKER_HOST", "tcp://10.0.0.4:2375"), Optional.empty())
                .dockerHost()).isEqualTo("tcp://10.0.0.4:2375");
    }

    @Test
    void theDockerContextNamesTheEngineAndItsTlsFiles() {
        // The CLI keeps a context under the sha256 of its name.
        String digest = java.util.HexFormat.of().formatHex(sha256("ci"));
        FakeWorld world = world()
                .file("/home/user/.docker/config.json", "{\"currentContext\": \"ci\"}")
                .file("/home/user/.docker/contexts/meta/" + digest + "/meta.json",
                        "{\"Name\":\"ci\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp://10.9.0.7:2376\"}}}")
                .file("/home/user/.docker/contexts/tls/" + digest + "/docker/ca.pem", "");

        EngineEndpoint endpoint = EngineEndpoint.decide(world, Optional.empty());

        assertThat(endpoint).isEqualTo(new EngineEndpoint("tcp://10.9.0.7:2376", "docker context ci", "10.9.0.7",
                Optional.of(Path.of("/home/user/.docker/contexts/tls/" + digest + "/docker"))));
        assertThat(EngineEndpoint.decide(world.env("DOCKER_CONTEXT", "default").file("/var/run/docker.sock", ""),
                Optional.empty()).source()).isEqualTo("default");
        assertThat(EngineEndpoint.decide(world.env("DOCKER_HOST", "unix:///tmp/d.sock"), Optional.empty()).source())
                .isEqualTo("DOCKER_HOST");
    }

    @Test
    void theHostOverrideOfTestcontainersDoesNotMoveThePublishedPorts() {
        FakeWorld world = world().env("TESTCONTAINERS_HOST_OVERRIDE", "localhost").env("DOCKER_HOST", "tcp://10.213.7.2:2376");

        assertThat(EngineEndpoint.decide(world, Optional.empty()).publishedHost()).isEqualTo("10.213.7.2");
        assertThat(EngineEndpoint.decide(world, Optional.of(" 10.213.7.9 ")).publishedHost()).isEqualTo("10.213.7.9");
        assertThat(EngineEndpoint.decide(world(), Optional.of("  ")).publishedHost()).isEqualTo("127.0.0.1");
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FakeWorld world() {
        return new FakeWorld(Map.of(), Map.of(), Map.of());
    }

    /** A world of given variables, Testcontainers settings and files; each change gives a new one. */
    private record FakeWorld(Map<String, String> variables, Map<String, String> properties, Map<Path, String> files)
            implements World {

        FakeWorld env(String name, String value) {
            Map<String, String> next = new java.util.HashMap<>(variables);
            next.put(name, value);
            return new FakeWorld(next, properties, files);
        }

        FakeWorld property(String key, String value) {
            Map<String, String> next = new java.util.HashMap<>(properties);
            next.put(key, value);
            return new FakeWorld(variables, next, files);
        }

        FakeWorld file(String path, String content) {
            Map<Path, String> next = new java.util.HashMap<>(files);
            next.put(Path.of(path), content);
            return new FakeWorld(variables, properties, next);
        }

        @Override
        public Optional<String> env(String name) {
            return Optional.ofNullable(variables.get(name));
        }

        @Override
        public Optional<String> testcontainersProperty(String key) {
            return Optional.ofNullable(properties.get(key));
        }

        @Override
        public Optional<String> readFile(Path file) {
            return Optional.ofNullable(files.get(file));
        }

        @Override
        public boolean exists(Path path) {
            return files.containsKey(path);
        }

        @Override
        public Path home() {
            return Path.of("/home/user");
        }
    }

    private static BackendSpec backend(Optional<DataSpec> data) {
        return new BackendSpec("vaultwarden", "vaultwarden", "echo", 80, new HealthCheck("/", Duration.ofSeconds(5)), data,
                Map.of(), List.of(), Set.of(), List.of());
    }
}
