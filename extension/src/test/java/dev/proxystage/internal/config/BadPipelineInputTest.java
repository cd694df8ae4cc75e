package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.ImageRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One regression test per class of bad pipeline input: each is refused with one clear line per problem. */
class BadPipelineInputTest {

    private static final String NGINX = "nginx: {image: nginx:1.27.3, confDir: conf.d}\n";

    @TempDir
    Path dir;

    @BeforeEach
    void confD() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private List<String> errorsOf(String content) throws IOException {
        return errorsOf(write("pipeline.yml", content), Optional.empty());
    }

    private static List<String> errorsOf(Path file, Optional<String> profile) {
        String message = assertThatThrownBy(() -> PipelineConfigLoader.load(file, profile))
                .isInstanceOf(ProxyStageException.class)
                .actual().getMessage();
        assertThat(message).doesNotContain("Exception").doesNotContain("\tat ");
        return message.lines().toList();
    }

    private String file() {
        return dir.resolve("pipeline.yml").toString();
    }

    @Test
    void aHexEscapeOutOfRangeIsOneLineAtItsPlace() throws IOException {
        // SnakeYAML's scanner lets Integer.parseInt's exception out for these; found by PipelineFuzzTest.
        for (String escape : List.of("\\UFFFFFFFF", "\\U80000000")) {
            assertThat(errorsOf("stages: [prep]\n" + NGINX + "backends:\n  app:\n    image: \"a" + escape + "b\"\n"))
                    .as(escape).containsExactly(file() + ":5:14: YAML syntax error: an escape in a double-quoted value"
                            + " is not a Unicode character (\\x takes 2 hex digits, \\u 4, \\U 8, at most 10FFFF)");
        }
    }

    @Test
    void anImageTheEngineWouldRefuseIsRefusedAtItsLine() throws IOException {
        // what compose interpolation leaves of nginx:${TAG} and example/${IMAGE}:${TAG} with the variables unset
        List<String> errors = errorsOf("stages: [prep]\nnginx: {image: 'nginx:', confDir: conf.d}\n"
                + "backends:\n  app:\n    image: 'example/:'\necho: {image: 'Upper/Case'}\n");
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).startsWith(file() + ":2:").contains("nginx.image", "'nginx:' is not an image reference");
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(file() + ":5:")
                .contains("backends.app.image", "'example/:' is not an image reference"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith(file() + ":6:")
                .contains("'Upper/Case' is not an image reference"));
    }

    @Test
    void imageReferencesTheEngineTakesAreTaken() {
        assertThat(List.of("nginx", "nginx:1.27.3", "proxystage/nginx:offline", "ghcr.io/zammad/zammad:6.4.1",
                "localhost:5000/team/app:v1.2-rc_3", "registry.example.com/a/b/c", "echo",
                "nginx@sha256:" + "0123456789abcdef".repeat(4), "eclipse-temurin:17-jre"))
                .allSatisfy(image -> assertThat(ImageRef.valid(image)).as(image).isTrue());
        assertThat(List.of("", "nginx:", "example/:", "/nginx", "Nginx", "nginx:tag with space", "a//b", ":1.0",
                "nginx@sha256:", "nginx:-tag"))
                .allSatisfy(image -> assertThat(ImageRef.valid(image)).as(image).isFalse());
    }

    @Test
    void aliasesThatMultiplyAreRefusedAtTheirLine() throws IOException {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1)
                    .append(", *a").append(i - 1).append(", *a").append(i - 1).append("]\n");
        }
        assertThat(errorsOf(yaml + "stages: [wip]\n" + NGINX)).singleElement().asString()
                .startsWith(file() + ":").contains("expands to more than " + YamlLoader.MAX_VALUES + " values");
    }

    @Test
    void aSelfReferencingAliasIsACycleNotAStackOverflow() throws IOException {
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    command: &loop [*loop]\n"))
                .containsExactly(file() + ":6:14: backends.a.command[0] is an alias of a value that contains it (a recursive structure)");
    }

    @Test
    void anOversizedFileIsRefusedBeforeParsing() throws IOException {
        Path file = write("pipeline.yml", "stages: [wip]\nx: \"" + "a".repeat(3 * 1024 * 1024) + "\"\n");
        assertThat(errorsOf(file, Optional.empty())).singleElement().asString()
                .isEqualTo(file + ": " + Files.size(file) + " bytes, more than the 256 KiB a pipeline file may have");
    }

    @Test
    void namesLongerThanADnsLabelAreRefusedWithTheLimit() throws IOException {
        String stage = "s".repeat(64);
        assertThat(errorsOf("stages: [" + stage + "]\n" + NGINX)).singleElement().asString()
                .isEqualTo(file() + ":1:10: stages[0]: '" + stage + "' is 64 characters long; names are at most 63 (a DNS label)");
        assertThat(errorsOf("stages: [" + "s".repeat(40) + "]\n" + NGINX)).singleElement().asString()
                .contains("network name nginx-rp-network-" + "s".repeat(40) + "-<run id> 66 characters long")
                .contains("a stage name has at most 37 characters");
        assertThat(errorsOf("stages: [prep]\n" + NGINX + "backends:\n  " + "b".repeat(50) + ": {image: echo}\n"))
                .singleElement().asString()
                .contains("makes the container name " + "b".repeat(50) + "-prep-<run id> 64 characters long; it must fit 63");
    }

    @Test
    void aStageListedTwiceIsAnError() throws IOException {
        assertThat(errorsOf("stages: [wip, prep, wip]\n" + NGINX))
                .containsExactly(file() + ":1:21: stages[2]: stage 'wip' is listed twice");
    }

    @Test
    void malformedSecretReferencesAreErrorsNotLiterals() throws IOException {
        List<String> errors = errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    env:\n"
                + "      EMPTY: ${env:}\n      OPEN: ${env:HOME\n");
        assertThat(errors).containsExactly(
                file() + ":7:14: backends.a.env.EMPTY is not a valid secret reference: write exactly ${env:NAME},"
                        + " NAME being letters, digits and '_' (not starting with a digit)",
                file() + ":8:13: backends.a.env.OPEN is not a valid secret reference: write exactly ${env:NAME},"
                        + " NAME being letters, digits and '_' (not starting with a digit)");
        assertThat(String.join("\n", errors)).doesNotContain("HOME");
    }

    @Test
    void anUnknownProbeIdIsRefusedAtLoadTime() throws IOException {
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "probes:\n  suppress:\n    versoin-disclosure: vendor image\n"))
                .singleElement().asString()
                .startsWith(file() + ":5:25: probes.suppress.versoin-disclosure: unknown hardening probe 'versoin-disclosure'")
                .contains("version-disclosure");
    }

    @Test
    void aZeroTimeoutIsRefused() throws IOException {
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    health: {timeout: 0s}\n"))
                .containsExactly(file() + ":6:23: backends.a.health.timeout must be more than 0 and at most 1h, got '0s'");
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    health: {timeout: 99999999999s}\n"))
                .singleElement().asString().contains("must be a duration");
    }

    @Test
    void everyPathPipelineYmlNamesMustExist() throws IOException {
        assertThat(errorsOf("stages: [wip]\nnginx:\n  image: nginx\n  confDir: nowhere\n  files:\n    /config/nginx: ./missing\n"))
                .containsExactly(
                        file() + ":4:12: nginx.confDir: " + dir.resolve("nowhere") + " does not exist",
                        file() + ":6:20: nginx.files./config/nginx: " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void aSymlinkLoopInASeedIsRefusedWhereTheSeedIsNamed() throws IOException {
        Path seed = Files.createDirectories(dir.resolve("seed/sub"));
        Files.createSymbolicLink(seed.resolve("up"), dir.resolve("seed"));
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    data: {mount: /data, seedFrom: seed}\n"))
                .singleElement().asString()
                .startsWith(file() + ":6:36: backends.a.data.seedFrom: " + seed.resolve("up") + ": symlink loop");
    }

    @Test
    void aKeyMissingFromBothFilesIsReportedInPipelineYmlNotTheOverlay() throws IOException {
        Path file = write("pipeline.yml", "stages: [wip]\nnginx:\n  confDir: conf.d\n");
        write("pipeline-offline.yml", "\n\nnginx:\n  confDir: conf.d\n");
        assertThat(errorsOf(file, Optional.of("offline")))
                .containsExactly(file + ":3:3: nginx: missing required key 'image'");
    }

    @Test
    void controlCharactersArePlacedAtLineAndColumn() throws IOException {
        assertThat(errorsOf("stages: [wip]\nnginx: {image: ng\u0007inx}\n"))
                .containsExactly(file() + ":2:18: character U+0007 is not allowed in YAML (a control character)");
    }

    @Test
    void anUnclosedQuoteIsReportedWhereItOpens() throws IOException {
        String yaml = "stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: \"x\n" + "#\n".repeat(20);
        assertThat(errorsOf(yaml)).singleElement().asString().startsWith(file() + ":5:12: YAML syntax error");
    }

    @Test
    void anUnclosedQuoteThatTheNextQuoteClosesIsReportedWhereItOpens() throws IOException {
        String yaml = """
                stages: [wip]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                backends:
                  a:
                    image: x
                    port: 80
                  b:
                    image: y
                    port: 80
                    health:
                      path: /b
                  c:
                    image: "z
                    port: 81
                    health:
                      path: /c
                  d:
                    image: w
                    port: 80
                    health:
                      path: /d
                  e:
                    image: v
                    health: {path: "/e"}
                """;
        assertThat(yaml.lines().toList().get(12)).isEqualTo("    image: \"z");
        assertThat(errorsOf(yaml)).singleElement().asString()
                .startsWith(file() + ":13:12: YAML syntax error: the quoted value that opens here is not closed on its line"
                        + " and runs on to line 24 (is a closing quote missing?); there: ");
    }

    @Test
    void anUnclosedSingleQuoteThatAnApostropheClosesIsReportedWhereItOpens() throws IOException {
        String yaml = "stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: 'x\n    port: 80\n"
                + "    # the apostrophe below ends the quote\n    command: [\"don't\"]\n";
        assertThat(errorsOf(yaml)).singleElement().asString().startsWith(file() + ":5:12: YAML syntax error: the quoted"
                + " value that opens here is not closed on its line and runs on to line 8");
    }

    @Test
    void aBadEscapeOnTheQuotesOwnLineIsPlacedAtTheEscape() throws IOException {
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: \"x\\qy\"\n"))
                .singleElement().asString().startsWith(file() + ":5:15: YAML syntax error");
    }

    @Test
    void aMultiLineQuotedValueFarFromAnErrorIsNotBlamed() throws IOException {
        String yaml = "stages: [wip]\n" + NGINX + "backends:\n  a:\n    image: x\n    command: [\"sh\", \"-c\", \"echo one\n      two\"]\n"
                + "  b:\n    image: y\n   port: 80\n";
        assertThat(errorsOf(yaml)).singleElement().asString().startsWith(file() + ":10:").doesNotContain("quoted value");
    }

    @Test
    void aDirectoryOrADeviceIsNotAPipelineFile() {
        assertThat(errorsOf(dir, Optional.empty())).containsExactly(dir + ": is a directory, not a pipeline file");
        assertThat(errorsOf(Path.of("/dev/null"), Optional.empty()))
                .containsExactly("/dev/null: is not a regular file (a device or pipe cannot be a pipeline file)");
    }

    @Test
    void aProfileIsANameNotAPath() throws IOException {
        Path file = write("pipeline.yml", "stages: [wip]\n" + NGINX);
        assertThat(errorsOf(file, Optional.of("../../etc/x"))).singleElement().asString()
                .startsWith("profile '../../etc/x' is not a valid profile name");
    }

    @Test
    void anErrorInAStageEntryKeepsItsStagesPrefix() throws IOException {
        assertThat(errorsOf("stages:\n  prep:\n    backends:\n      a: {image: x, port: http}\n" + NGINX))
                .containsExactly(file() + ":4:27: stages.prep.backends.a.port must be a port number (1-65535), got 'http'");
    }

    @Test
    void everyProblemOfAFileIsReportedUpToTheCap() throws IOException {
        List<String> errors = errorsOf("stages: [wip]\nnginx: {image: n, confDir: conf.d, color: red}\nbackends:\n"
                + "  a: {image: x, port: 0}\n  b: {image: x, health: {timeout: 0s}}\n  c: {port: 80}\n");
        assertThat(errors).containsExactly(
                file() + ":2:43: unknown key 'nginx.color' (known: confDir, files, image, mainConfig, modules)",
                file() + ":4:23: backends.a.port must be a port number (1-65535), got '0'",
                file() + ":5:35: backends.b.health.timeout must be more than 0 and at most 1h, got '0s'",
                file() + ":6:6: backends.c: missing required key 'image'");

        StringBuilder many = new StringBuilder("stages: [wip]\n" + NGINX + "backends:\n");
        for (int i = 0; i < 30; i++) {
            many.append("  b").append(i).append(": {image: x, port: 0}\n");
        }
        List<String> capped = errorsOf(many.toString());
        assertThat(capped).hasSize(ConfigProblems.MAX_REPORTED + 1).last().isEqualTo("… and 10 more");
    }

    @Test
    void aLineBreakInAKeyOrValueStaysInsideItsLine() throws IOException {
        assertThat(errorsOf("stages: [wip]\n" + NGINX + "backends:\n  a: {image: x, \"po\\nrt\": 1, port: \"8\\n0\"}\n"))
                .containsExactly(
                        file() + ":4:27: unknown key 'backends.a.po\\nrt' (known: alias, aliases, command, data, entrypoint, env, envFile, faults, health, image, port, ports)",
                        file() + ":4:36: backends.a.port must be a port number (1-65535), got '8\\n0'");
    }

    @Test
    void notUtf8IsStillOneLine() throws IOException {
        Path file = dir.resolve("pipeline.yml");
        Files.write(file, "stages: [w\u00e9]\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(errorsOf(file, Optional.empty())).containsExactly(file + ": not valid UTF-8");
    }
}
