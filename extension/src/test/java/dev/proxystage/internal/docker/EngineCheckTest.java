package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.VersionComponent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine check on version answers as Docker and Podman give them, without an engine. */
class EngineCheckTest {

    private static Version answer(VersionComponent... components) {
        // docker-java's model has no setter for the list; the engine's JSON is what fills it
        return new ObjectMapper().convertValue(
                Map.of("Version", "x", "Components", List.of(components)), Version.class);
    }

    private static VersionComponent component(String name, String version) {
        return new VersionComponent().withName(name).withVersion(version);
    }

    @Test
    void podman4IsRefusedInOneLineNamingWhatItLacks() {
        Map<String, String> seen = EngineCheck.components(answer(component("Podman Engine", "4.3.1"),
                component("Conmon", "conmon version 2.1.6, commit: unknown"), component("OCI Runtime (runc)", "runc version 1.1.5")));

        assertThat(EngineCheck.refusal("unix:///run/podman/podman.sock", seen)).hasValueSatisfying(line -> assertThat(line)
                .startsWith("the engine at unix:///run/podman/podman.sock is Podman 4.3.1, ")
                .contains("log timestamps finer than a second", "networks kept apart")
                .doesNotContain("\n"));
    }

    @Test
    void dockerEnginesPass() {
        Map<String, String> docker20 = EngineCheck.components(answer(component("Engine", "20.10.24+dfsg1"),
                component("containerd", "1.6.20~ds1"), component("runc", "1.1.5+ds1"), component("docker-init", "0.19.0")));
        Map<String, String> docker26 = EngineCheck.components(answer(component("Engine", "26.1.5+dfsg1"),
                component("containerd", "1.7.24~ds1"), component("runc", "1.1.15+ds1")));

        assertThat(EngineCheck.refusal("unix:///var/run/docker.sock", docker20)).isEmpty();
        assertThat(EngineCheck.refusal("tcp://10.0.0.5:2376", docker26)).isEmpty();
    }

    @Test
    void anAnswerWithoutComponentsIsNotRefused() {
        assertThat(EngineCheck.components(new Version())).isEmpty();
        assertThat(EngineCheck.components(null)).isEmpty();
        assertThat(EngineCheck.refusal("unix:///var/run/docker.sock", Map.of())).isEmpty();
    }

    @Test
    void podmanOfALaterMajorVersionIsLetThrough() {
        assertThat(EngineCheck.refusal("unix:///run/podman/podman.sock", Map.of("Podman Engine", "5.2.0"))).isEmpty();
        assertThat(EngineCheck.refusal("unix:///run/podman/podman.sock", Map.of("Podman Engine", "4.9.4-rhel"))).isPresent();
    }

    @Test
    void majorVersions() {
        assertThat(EngineCheck.major("4.3.1")).isEqualTo(4);
        assertThat(EngineCheck.major("12.0")).isEqualTo(12);
        assertThat(EngineCheck.major("dev")).isZero();
        assertThat(EngineCheck.major("")).isZero();
    }
}
