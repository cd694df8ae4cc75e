package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.ComposeFile.Mount;
import dev.proxystage.internal.config.ComposeFile.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compose file's keys as the specification writes them, short and long forms, with their lines. */
class ComposeFileTest {

    @TempDir
    Path dir;

    private ComposeFile read(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, yaml);
        return ComposeFile.read(file, env);
    }

    @Test
    void shortAndLongFormsOfPortsVolumesEnvironmentAndCommands() throws IOException {
        ComposeFile compose = read("""
                services:
                  app:
                    image: app:${TAG:-1}
                    command: ["serve", "--port", "8080"]
                    entrypoint: /bin/sh -c 'exec "$$0" "$$@"'
                    environment:
                      A: "1"
                      B:
                    expose: ["8080", "9000-9002"]
                    ports:
                      - "127.0.0.1:8443:443"
                      - "53:53/udp"
                      - target: 7000
                        published: "17000"
                    volumes:
                      - data:/data
                      - ./conf:/etc/app:ro
                      - /cache
                      - type: tmpfs
                        target: /tmp
                      - type: bind
                        source: /srv/x
                        target: /x
                        read_only: true
                    networks:
                      front:
                        aliases: [app.front, app.internal]
                        ipv4_address: 10.0.0.5
                      back:
                    healthcheck:
                      test: curl -f http://localhost:8080/
                      interval: 1m30s
                      start_period: 500ms
                      retries: 2
                    depends_on:
                      db: {condition: service_healthy}
                    x-note: ignored as compose ignores it
                    privileged: true
                  db:
                    image: postgres
                    environment: [POSTGRES_DB=app, POSTGRES_USER]
                """, Map.of());
        Service app = compose.services().get("app");

        assertThat(app.image()).contains(new ComposeFile.Value("app:1", 3));
        assertThat(app.command().orElseThrow().args()).containsExactly("serve", "--port", "8080");
        assertThat(app.entrypoint().orElseThrow().args()).containsExactly("/bin/sh", "-c", "exec \"$0\" \"$@\"");
        assertThat(app.environment()).containsExactly(new ComposeFile.EnvEntry("A", Optional.of("1"), 7),
                new ComposeFile.EnvEntry("B", Optional.empty(), 8));
        assertThat(app.ports()).extracting(ComposeFile.Port::port).containsExactly(8080, 9000, 9001, 9002, 443, 7000);
        assertThat(app.volumes()).extracting(Mount::kind).containsExactly(Mount.Kind.VOLUME, Mount.Kind.BIND,
                Mount.Kind.ANONYMOUS, Mount.Kind.TMPFS, Mount.Kind.BIND);
        assertThat(app.volumes().get(1)).isEqualTo(new Mount(Mount.Kind.BIND, "./conf", "/etc/app", true, 17));
        assertThat(app.volumes().get(4).readOnly()).isTrue();
        assertThat(app.hostNames()).containsExactly("app", "app.front", "app.internal");
        ComposeFile.Healthcheck health = app.healthcheck().orElseThrow();
        assertThat(health.test()).containsExactly("CMD-SHELL", "curl -f http://localhost:8080/");
        assertThat(health.interval()).contains(Duration.ofSeconds(90));
        assertThat(health.startPeriod()).contains(Duration.ofMillis(500));
        assertThat(health.retries()).contains(2);
        assertThat(app.dependsOn()).extracting(ComposeFile.Value::text).containsExactly("db");
        assertThat(app.unsupported()).containsExactly(new ComposeFile.Value("privileged", 38),
                new ComposeFile.Value("networks.front.ipv4_address", 28));
        assertThat(compose.services().get("db").environment()).containsExactly(
                new ComposeFile.EnvEntry("POSTGRES_DB", Optional.of("app"), 41),
                new ComposeFile.EnvEntry("POSTGRES_USER", Optional.empty(), 41));
    }

    @Test
    void mergeKeysGiveDefaultsTheServiceOverrides() throws IOException {
        ComposeFile compose = read("""
                x-base: &base
                  image: base:1
                  restart: always
                  environment:
                    LEVEL: info
                services:
                  a:
                    <<: *base
                    image: a:2
                  b:
                    <<: [*base]
                """, Map.of());

        assertThat(compose.services().get("a").image().orElseThrow().text()).isEqualTo("a:2");
        assertThat(compose.services().get("a").environment()).extracting(ComposeFile.EnvEntry::name).containsExactly("LEVEL");
        assertThat(compose.services().get("b").image().orElseThrow().text()).isEqualTo("base:1");
        assertThat(compose.services().get("b").unsupported()).containsExactly(new ComposeFile.Value("restart", 3));
    }

    @Test
    void variablesComeFromTheEnvironmentThenDotEnvAndAnUnsetOneIsAWarning() throws IOException {
        Files.writeString(dir.resolve(".env"), "TAG=from-dotenv\nREGISTRY=registry.local\n");
        ComposeFile compose = read("""
                services:
                  app:
                    image: ${REGISTRY}/app:${TAG}
                    container_name: app-${SUFFIX}
                """, Map.of("TAG", "from-env"));

        assertThat(compose.services().get("app").image().orElseThrow().text()).isEqualTo("registry.local/app:from-env");
        assertThat(compose.warnings()).containsExactly(new ComposeFile.Warning(4,
                "variable SUFFIX is not set; an empty string is used, as compose does"));
        assertThat(compose.variable("TAG")).contains("from-env");
    }

    @Test
    void whatComposeRefusesIsOneLineWithItsPlace() {
        assertThatThrownBy(() -> read("services:\n  app:\n    image: app:${TAG:?name a tag}\n", Map.of()))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage(dir.resolve("compose.yaml") + ":3:12: services.app.image: required variable TAG is not set: name a tag");
        assertThatThrownBy(() -> read("version: '3'\n", Map.of()))
                .hasMessageEndingWith(":1:1: no 'services' key: a compose file defines its services under 'services'");
        assertThatThrownBy(() -> read("services:\n  app:\n    image: a\n    healthcheck:\n      interval: soon\n", Map.of()))
                .hasMessageContaining(":5:17: services.app.healthcheck.interval must be a duration such as 10s, 1m30s or 500ms, got 'soon'");
        assertThatThrownBy(() -> read("services:\n  app:\n    image: a\n    command: \"echo 'open\"\n", Map.of()))
                .hasMessageContaining(":4:14: services.app.command: a single quote in");
        assertThatThrownBy(() -> read("services:\n  app: [a]\n", Map.of()))
                .hasMessageContaining(":2:8: service \"app\" must be a mapping");
    }

    @Test
    void includeIsAWarningNotSilence() throws IOException {
        ComposeFile compose = read("include:\n  - other.yaml\nservices:\n  app:\n    image: a\n", Map.of());
        assertThat(compose.warnings()).extracting(ComposeFile.Warning::message)
                .containsExactly("\"include\" is not followed: services of included files are not read");
    }

    @Test
    void shellWordsSplitAsComposeSplitsACommandString() {
        assertThat(ShellWords.split("a  'b c' \"d \\\"e\\\"\" f\\ g")).isEqualTo(List.of("a", "b c", "d \"e\"", "f g"));
        assertThat(ShellWords.split("")).isEmpty();
    }

    @Test
    void aMountWhoseSourceIsAnUnsetVariableIsNeitherVolumeNorBind() throws IOException {
        ComposeFile compose = read("services:\n  app:\n    image: a\n    volumes:\n      - ${UPLOADS}:/upload\n", Map.of());

        assertThat(compose.services().get("app").volumes()).containsExactly(new Mount(Mount.Kind.OTHER, "", "/upload", false, 5));
        assertThat(compose.warnings()).extracting(ComposeFile.Warning::message)
                .containsExactly("variable UPLOADS is not set; an empty string is used, as compose does");
    }
}
