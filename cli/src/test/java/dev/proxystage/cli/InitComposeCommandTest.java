package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code init} on a stack with its compose file beside conf.d: found on its own, mapped, and {@code check} is clean offline. */
class InitComposeCommandTest {

    static final Path STACK = Path.of("../extension/src/test/resources/init/compose-stack").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path stack() throws IOException {
        return copyInto(dir);
    }

    /** The stack, its compose file, .env and env file included, copied into {@code dir}. */
    Path copyInto(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(STACK)) {
            for (Path file : files.toList()) {
                Path target = dir.resolve(STACK.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return dir;
    }

    @Test
    void findsTheComposeFileBesideConfDAndCheckIsCleanOffline() throws IOException {
        Path tree = stack();

        CliRun run = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--out", tree.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.outLines()).startsWith("wrote " + tree.resolve("pipeline.yml") + " (5 backends, 4 with their"
                + " compose service's image, the others the echo backend until their image is named)");
        assertThat(run.outLines()).contains(tree.resolve("docker-compose.yml") + ":41: service \"app\": \"cap_add\" is not"
                + " carried over");
        assertThat(Files.readString(tree.resolve("pipeline.yml"))).contains("image: jitsi/prosody:stable")
                .contains("DB_PASSWORD: '${env:DB_PASSWORD}'").doesNotContain("s3cr3t-literal");

        CliRun offline = CliRun.of("check", "--config", tree.resolve("pipeline.yml").toString(), "--profile", "offline");
        assertThat(offline.exitCode()).as(offline.toString()).isEqualTo(Main.OK);
        assertThat(offline.err()).endsWith("check: ok (stages seed, wip, prep, ship, prod)\n");
    }

    @Test
    void noComposeKeepsTheEchoBackendAndTheTwoOptionsExcludeEachOther() throws IOException {
        Path tree = stack();

        CliRun run = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--out", tree.toString(),
                "--no-compose");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        // The dotted xmpp.meet.jitsi is a backend without the compose file too: no public top-level domain.
        assertThat(run.outLines().get(0)).endsWith("(6 backends, each the echo backend until its image is named)");

        CliRun both = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--out", tree.resolve("x").toString(),
                "--no-compose", "--compose", tree.resolve("docker-compose.yml").toString());
        assertThat(both.exitCode()).isEqualTo(Main.USAGE);
        assertThat(both.err()).contains("--compose and --no-compose exclude each other");
    }

    @Test
    void aBrokenComposeFileIsOneLineAndNothingIsWritten() throws IOException {
        Path tree = stack();
        Files.writeString(tree.resolve("docker-compose.yml"), "services:\n  app:\n    image: app:${TAG:?name the tag}\n");

        CliRun run = CliRun.of("init", "--conf-d", tree.resolve("conf.d").toString(), "--out", tree.toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err()).isEqualTo(tree.resolve("docker-compose.yml") + ":3:12: services.app.image: required variable"
                + " TAG is not set: name the tag\ninit: nothing written\n");
        assertThat(tree.resolve("pipeline.yml")).doesNotExist();
    }
}
