package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.proxystage.internal.files.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} given the classes of bad input that used to crash, hang or slip through: each gives exit 1, one
 * {@code file:line} line per problem, no stack trace, and leaves no CA directory behind.
 */
class CheckBadInputTest {

    private static final Duration HANG_GUARD = Duration.ofSeconds(30);
    private static final String NGINX = "nginx: {image: nginx:1.27.3, confDir: conf.d}\n";

    @TempDir
    Path dir;

    @BeforeEach
    void confD() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/site.conf"), "server { listen 80; server_name a.example.com; return 204; }\n");
    }

    private Path pipeline(String content) throws IOException {
        return Files.writeString(dir.resolve("pipeline.yml"), content);
    }

    /** Runs check and asserts the bar every bad input must meet; returns the problem lines. */
    private List<String> refused(String... args) {
        List<Path> caBefore = caDirectories();
        CliRun run = assertTimeoutPreemptively(HANG_GUARD, () -> CliRun.of(args));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out() + run.err()).as(run.toString()).doesNotContain("\tat ").doesNotContain("Exception")
                .doesNotContain("Error:");
        assertThat(run.outLines()).as(run.toString()).isNotEmpty().allSatisfy(line -> assertThat(line)
                .matches(l -> l.startsWith("… and ") || l.matches("/\\S+(:\\d+(:\\d+)?)?: .+"), "names a file"));
        assertThat(run.err()).startsWith("check: ");
        assertThat(caDirectories()).as("no CA directory left behind").isEqualTo(caBefore);
        return run.outLines();
    }

    private static List<Path> caDirectories() {
        // Where this user's runs make them: the run directory (or the temporary directory when it is refused).
        try (Stream<Path> entries = Files.list(RunDirectory.open().caParent())) {
            // Only this JVM's: other builds on the machine make and remove their own.
            String mine = "proxystage-pki-" + ProcessHandle.current().pid() + "-";
            return entries.filter(p -> p.getFileName().toString().startsWith(mine)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String file() {
        return dir.resolve("pipeline.yml").toString();
    }

    @Test
    void anAliasBombIsOneLine() throws IOException {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            String prev = "*a" + (i - 1);
            yaml.append("a").append(i).append(": &a").append(i).append(" [").append(String.join(", ", prev, prev, prev, prev))
                    .append("]\n");
        }
        Path file = pipeline(yaml + "stages: [wip]\n" + NGINX);
        assertThat(refused("check", "--config", file.toString())).singleElement().asString()
                .contains("expands to more than 10000 values");
    }

    @Test
    void aSelfReferencingAliasIsOneLine() throws IOException {
        Path file = pipeline("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    command: &loop [*loop]\n");
        assertThat(refused("check", "--config", file.toString())).singleElement().asString()
                .contains("(a recursive structure)");
    }

    @Test
    void aHugeQuotedScalarIsRefusedBeforeParsing() throws IOException {
        Path file = pipeline("stages: [wip]\nx: \"" + "a".repeat(10 * 1024 * 1024) + "\"\n");
        assertThat(refused("check", "--config", file.toString())).singleElement().asString()
                .startsWith(file + ": ").endsWith("more than the 256 KiB a pipeline file may have");
    }

    @Test
    void deepNestingInConfDIsCheckedNotACrash() throws IOException {
        Files.writeString(dir.resolve("conf.d/site.conf"), "server {\n  listen 80;\n  server_name a.example.com;\n"
                + "  location / {\n".repeat(3000) + "    return 204;\n" + "  }\n".repeat(3000) + "}\n");
        Path file = pipeline("stages: [wip]\n" + NGINX);
        CliRun run = assertTimeoutPreemptively(HANG_GUARD, () -> CliRun.of("check", "--config", file.toString()));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: ok (stage wip)\n");
    }

    @Test
    void namesSecretsProbesTimeoutsAndPathsAreAllReportedInOneRun() throws IOException {
        Path file = pipeline("stages: [wip, prep, wip]\n" + "nginx:\n  image: nginx\n  confDir: conf.d\n"
                + "  files: {/config/nginx: ./nginx}\n" + "backends:\n  " + "b".repeat(64) + ": {image: echo}\n"
                + "  a:\n    image: x\n    health: {timeout: 0s}\n    env: {TOKEN: \"${env:ADMIN\"}\n"
                + "probes:\n  suppress:\n    plain-htp: vendor image\n");
        assertThat(refused("check", "--config", file.toString())).containsExactly(
                file() + ":1:21: stages[2]: stage 'wip' is listed twice",
                file() + ":5:26: nginx.files./config/nginx: " + dir.resolve("nginx") + " does not exist",
                file() + ":7:69: backends." + "b".repeat(64) + ": '" + "b".repeat(64)
                        + "' is 64 characters long; names are at most 63 (a DNS label)",
                file() + ":10:23: backends.a.health.timeout must be more than 0 and at most 1h, got '0s'",
                file() + ":11:18: backends.a.env.TOKEN is not a valid secret reference: write exactly ${env:NAME}, NAME"
                        + " being letters, digits and '_' (not starting with a digit)",
                file() + ":14:16: probes.suppress.plain-htp: unknown hardening probe 'plain-htp' (known: default-server,"
                        + " header-splitting, alias-traversal, version-disclosure, forwarded-headers, plain-http,"
                        + " tls-protocols)");
    }

    @Test
    void controlCharactersAndUnclosedQuotesArePlaced() throws IOException {
        Path file = pipeline("stages: [wip]\n" + NGINX + "backends:\n  a: {image: \"x\u0001\"}\n");
        assertThat(refused("check", "--config", file.toString()))
                .containsExactly(file + ":4:16: character U+0001 is not allowed in YAML (a control character)");
        pipeline("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: 'x\n" + "\n".repeat(30));
        assertThat(refused("check", "--config", file.toString())).singleElement().asString()
                .startsWith(file + ":5:12: YAML syntax error");
    }

    @Test
    void aDirectoryOrDevNullAsConfigIsNotCalledMissing() {
        assertThat(refused("check", "--config", dir.toString()))
                .containsExactly(dir + ": is a directory, not a pipeline file");
        assertThat(refused("check", "--config", "/dev/null"))
                .containsExactly("/dev/null: is not a regular file (a device or pipe cannot be a pipeline file)");
    }

    @Test
    void aProfileWithAPathSeparatorIsRefused() throws IOException {
        Path file = pipeline("stages: [wip]\n" + NGINX);
        // The message names no file: there is none to name, the profile is the problem.
        CliRun run = CliRun.of("check", "--config", file.toString(), "--profile", "../../tmp/evil");
        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).singleElement().asString()
                .startsWith("profile '../../tmp/evil' is not a valid profile name");
    }

    @Test
    void confDEntriesThatCannotBeStagedAreErrors() throws IOException {
        Files.createDirectories(dir.resolve("conf.d/old.conf"));
        Path file = pipeline("stages: [wip]\n" + NGINX);
        assertThat(refused("check", "--config", file.toString())).containsExactly(dir.resolve("conf.d/old.conf")
                + ": is a directory, but nginx includes every conf.d/*.conf as a file; rename it or move it out of conf.d");
        Files.delete(dir.resolve("conf.d/old.conf"));

        Files.createSymbolicLink(dir.resolve("conf.d/loop"), dir.resolve("conf.d"));
        assertThat(refused("check", "--config", file.toString())).singleElement().asString()
                .startsWith(dir.resolve("conf.d/loop") + ": symlink loop");
    }
}
