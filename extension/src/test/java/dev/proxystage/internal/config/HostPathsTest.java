package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code data.hostPath}: what may be bind-mounted, judged when pipeline.yml is loaded (no Docker), and read-only. */
class HostPathsTest {

    @TempDir
    Path dir;

    private Path home;
    private Path socket;
    private HostPaths rules;

    @BeforeEach
    void project() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        home = Files.createDirectories(dir.resolve("home/me"));
        // The engine's socket, as DOCKER_HOST names it; a regular file stands in for it.
        socket = Files.createFile(Files.createDirectories(dir.resolve("engine/run")).resolve("docker.sock"));
        rules = new HostPaths(home, HostPaths.engineSockets(Map.of("DOCKER_HOST", "unix://" + socket), home));
    }

    /** pipeline.yml with one stage and one backend whose data entry is {@code data}, on line 6. */
    private Path pipeline(String data) throws IOException {
        return pipeline("[wip]", data);
    }

    private Path pipeline(String stages, String data) throws IOException {
        return Files.writeString(dir.resolve("pipeline.yml"), """
                stages: %s
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                backends:
                  vw:
                    image: vaultwarden/server:1.32.7
                    data: %s
                """.formatted(stages, data));
    }

    private PipelineConfig load(String data) throws IOException {
        return PipelineConfigLoader.load(pipeline(data), Optional.empty(), PipelineConfigLoader.Options.defaults(), rules);
    }

    private String errorOf(String data) throws IOException {
        Path file = pipeline(data);
        String message = assertThatThrownBy(() -> PipelineConfigLoader.load(file, Optional.empty(),
                PipelineConfigLoader.Options.defaults(), rules))
                .isInstanceOf(ProxyStageException.class).actual().getMessage();
        assertThat(message).doesNotContain("\n").doesNotContain("Exception");
        return message;
    }

    private DataSpec data(PipelineConfig config, String stage) {
        return config.stage(stage).backend("vw").orElseThrow().data().orElseThrow();
    }

    private String hostPathAt() {
        return dir.resolve("pipeline.yml") + ":6:";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /                       | /                       | is the host's root directory
            /etc                    | /etc                    | is a system directory
            /etc/ssl/private        | /etc/ssl/private        | is inside /etc, a system directory
            /proc/self              | /proc/self              | is inside /proc, a system directory
            /sys/kernel             | /sys/kernel             | is inside /sys, a system directory
            /dev                    | /dev                    | is a system directory
            /dev/shm/x              | /dev/shm/x              | is inside /dev, a system directory
            /boot                   | /boot                   | a system directory
            /run/secrets            | /run/secrets            | a system directory
            /var/run                | /var/run                | is a system directory
            /var/lib/docker/volumes | /var/lib/docker/volumes | is inside /var/lib/docker, a system directory
            /var/lib                | /var/lib                | is a system directory
            /var                    | /var                    | is a system directory
            /usr                    | /usr                    | a system directory
            /bin                    | /bin                    | a system directory
            /sbin                   | /sbin                   | a system directory
            /lib                    | /lib                    | a system directory
            /lib64                  | /lib64                  | a system directory
            /root                   | /root                   | a system directory
            /home                   | /home                   | a system directory
            """)
    void systemDirectoriesAreRefusedAtTheirLine(String hostPath, String named, String why) throws IOException {
        assertThat(errorOf("{mount: /data, hostPath: " + hostPath + "}"))
                .startsWith(hostPathAt() + "36: backends.vw.data.hostPath: " + named + " ")
                .contains(why)
                .endsWith("; a stage never mounts the host's system directories or the engine's socket");
    }

    @Test
    void theRootIsNamedAsSuch() throws IOException {
        assertThat(errorOf("{mount: /data, hostPath: /}")).isEqualTo(hostPathAt() + "36: backends.vw.data.hostPath: /"
                + " is the host's root directory; a stage never mounts the host's system directories or the engine's socket");
    }

    @Test
    void dotDotIsResolvedBeforeJudging() throws IOException {
        String up = "../".repeat(dir.getNameCount() + 3);
        assertThat(errorOf("{mount: /data, hostPath: " + up + "etc/nginx}"))
                .startsWith(hostPathAt() + "36: backends.vw.data.hostPath: /etc/nginx is inside /etc, a system directory");
        assertThat(errorOf("{mount: /data, hostPath: 'data/../" + up + "'}"))
                .contains("backends.vw.data.hostPath: / is the host's root directory");
    }

    @Test
    void aSymlinkIsJudgedByWhereItLeads() throws IOException {
        Files.createSymbolicLink(dir.resolve("innocent"), Path.of("/etc"));
        assertThat(errorOf("{mount: /data, hostPath: innocent}")).isEqualTo(hostPathAt() + "36: backends.vw.data.hostPath: "
                + dir.resolve("innocent") + " resolves to /etc, which is a system directory; a stage never mounts"
                + " the host's system directories or the engine's socket");
        // A directory still to be created below a symlink is judged by where the symlink leads too.
        assertThat(errorOf("{mount: /data, hostPath: innocent/not-yet}"))
                .contains(dir.resolve("innocent/not-yet") + " resolves to /etc/not-yet, which is inside /etc");
        Files.delete(dir.resolve("innocent"));
    }

    @Test
    void theEnginesSocketAndEveryDirectoryHoldingItAreRefused() throws IOException {
        assertThat(errorOf("{mount: /data, hostPath: engine/run/docker.sock}")).isEqualTo(hostPathAt()
                + "36: backends.vw.data.hostPath: " + socket + " is the container engine's socket; a stage never mounts"
                + " the host's system directories or the engine's socket");
        assertThat(errorOf("{mount: /data, hostPath: engine/run}"))
                .contains(dir.resolve("engine/run") + " holds the container engine's socket " + socket);
        assertThat(errorOf("{mount: /data, hostPath: engine}"))
                .contains(dir.resolve("engine") + " holds the container engine's socket " + socket);
        Files.createSymbolicLink(dir.resolve("sockets"), dir.resolve("engine/run"));
        assertThat(errorOf("{mount: /data, hostPath: sockets}"))
                .contains("resolves to " + dir.resolve("engine/run") + ", which holds the container engine's socket");
    }

    @Test
    void theDefaultSocketsDirectoryIsRefusedWhateverDockerHostSays() throws IOException {
        assertThat(HostPaths.engineSockets(Map.of(), home)).contains(Path.of("/var/run/docker.sock"));
        assertThat(errorOf("{mount: /data, hostPath: /var/run}")).contains("/var/run ");
    }

    @Test
    void dockerHostAndTestcontainersPropertiesNameSockets() throws IOException {
        Files.writeString(home.resolve(".testcontainers.properties"), "docker.host=unix:///srv/engine/podman.sock\n");
        List<Path> sockets = HostPaths.engineSockets(Map.of("DOCKER_HOST", "unix:///opt/docker/d.sock",
                "XDG_RUNTIME_DIR", "/run/user/1000"), home);
        assertThat(sockets).contains(Path.of("/opt/docker/d.sock"), Path.of("/srv/engine/podman.sock"),
                Path.of("/run/user/1000/docker.sock"));
        assertThat(HostPaths.engineSockets(Map.of("DOCKER_HOST", "tcp://10.0.0.5:2376"), home))
                .doesNotContain(Path.of("/10.0.0.5:2376"));
    }

    @Test
    void theUsersHomeAndItsKeyDirectoriesAreRefused() throws IOException {
        assertThat(rules.refusal(home)).hasValueSatisfying(why ->
                assertThat(why).startsWith("is a system directory"));
        assertThat(rules.refusal(home.resolve(".ssh"))).contains("is a directory of keys and credentials; a stage never"
                + " mounts the host's system directories or the engine's socket");
        assertThat(rules.refusal(home.resolve(".docker/contexts"))).hasValueSatisfying(why ->
                assertThat(why).startsWith("is inside " + home.resolve(".docker") + ", a directory of keys and credentials"));
        // A directory that only holds one of them (a project directory that is the home's parent, say).
        assertThat(new HostPaths(home.resolve("sub"), List.of()).refusal(home)).hasValueSatisfying(why ->
                assertThat(why).startsWith("holds " + home.resolve("sub/.ssh") + ", a directory of keys and credentials"));
        assertThat(rules.refusal(home.resolve("projects/vw-data"))).isEmpty();
    }

    @Test
    void aProjectDirectoryIsMountedReadOnlyByDefault() throws IOException {
        PipelineConfig config = load("{mount: /data, hostPath: backups/vw}");

        DataSpec wip = data(config, "wip");
        assertThat(wip.hostDir()).contains(dir.resolve("backups/vw"));
        assertThat(wip.readOnly()).isTrue();
    }

    @Test
    void readOnlyFalseMakesAHostPathWritable() throws IOException {
        assertThat(data(load("{mount: /data, hostPath: backups/vw, readOnly: false}"), "wip").readOnly()).isFalse();
        assertThat(data(load("{mount: /data, hostPath: backups/vw, readOnly: true}"), "wip").readOnly()).isTrue();
    }

    @Test
    void otherDataKeepsItsDefaults() throws IOException {
        PipelineConfig volume = PipelineConfigLoader.load(pipeline("[wip, prod]", "/data"), Optional.empty(),
                PipelineConfigLoader.Options.defaults(), rules);
        assertThat(data(volume, "wip").readOnly()).isFalse();
        assertThat(data(volume, "prod").readOnly()).isTrue();
        assertThat(data(load("{mount: /data, persist: true}"), "wip").readOnly()).isFalse();
    }

    @Test
    void readOnlyMustBeABoolean() throws IOException {
        assertThat(errorOf("{mount: /data, hostPath: backups/vw, readOnly: maybe}"))
                .isEqualTo(hostPathAt() + "58: backends.vw.data.readOnly must be true or false, got 'maybe'");
        assertThat(errorOf("{mount: /data, hostPath: backups/vw, readOnly: [true]}"))
                .isEqualTo(hostPathAt() + "58: backends.vw.data.readOnly must be a single value, not a list");
    }

    @Test
    void aReadOnlyHostPathCannotBeSeeded() throws IOException {
        Files.createDirectories(dir.resolve("fixtures/vw"));
        assertThat(errorOf("{mount: /data, hostPath: backups/vw, seedFrom: fixtures/vw}"))
                .isEqualTo(hostPathAt() + "58: backends.vw.data.seedFrom seeds " + dir.resolve("backups/vw")
                        + ", which is mounted read-only (a hostPath mounts read-only unless the entry says readOnly: false)");
        assertThat(data(load("{mount: /data, hostPath: backups/vw, seedFrom: fixtures/vw, readOnly: false}"), "wip")
                .readOnly()).isFalse();
    }
}
