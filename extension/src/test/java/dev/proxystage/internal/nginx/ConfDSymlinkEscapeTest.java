package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing from outside the project's trees reaches a stage through conf.d: a symlink out of them is refused with one
 * line naming the link and its target, and no parse error quotes a whole line of the file it read.
 */
class ConfDSymlinkEscapeTest {

    private static final String MARKER = "root:$6$proxystage-secret-marker$Q9x:19000:0:99999:7:::";

    @TempDir
    Path project;
    @TempDir
    Path elsewhere;

    private Path confD;
    private Path secret;
    private final List<Path> links = new ArrayList<>();

    @BeforeEach
    void trees() throws IOException {
        confD = Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(confD.resolve("app.conf"), "server {\n    listen 80;\n    server_name app.example.com;\n}\n");
        secret = Files.writeString(elsewhere.resolve("shadow"), MARKER + "\n");
    }

    /** JUnit's clean-up warns about links that leave its temp directory; they go first. */
    @AfterEach
    void removeLinks() throws IOException {
        for (Path link : links) {
            Files.deleteIfExists(link);
        }
    }

    private Path link(Path link, Path target) throws IOException {
        links.add(link);
        return Files.createSymbolicLink(link, target);
    }

    private String refusal(ParseRequest request) {
        String message = assertThatThrownBy(() -> NginxConfig.parse(request)).isInstanceOf(NginxConfigException.class)
                .actual().getMessage();
        assertThat(message).doesNotContain("\n").doesNotContain("proxystage-secret-marker").doesNotContain("$6$");
        return message;
    }

    @Test
    void aConfDEntryLinkedOutsideIsRefusedNamingLinkAndTarget() throws IOException {
        Path entry = link(confD.resolve("secret.conf"), secret);

        assertThat(refusal(ParseRequest.of(confD))).isEqualTo(entry + ": symlink to " + secret + ", outside the project's"
                + " trees (conf.d, the nginx.files directories, the main config's directory); nothing from elsewhere on"
                + " the host is read or copied into the container (copy the file in, or map its directory via"
                + " nginx.files)");
    }

    @Test
    void aRelativeLinkNamesWhereItResolves() throws IOException {
        Path target = project.relativize(secret).normalize();
        Path entry = link(confD.resolve("secret.conf"), Path.of("..").resolve(target));

        assertThat(refusal(ParseRequest.of(confD))).startsWith(entry + ": symlink to ../" + target + " ("
                + secret.toRealPath() + "), outside the project's trees");
    }

    @ParameterizedTest
    @ValueSource(strings = {"notes.txt", ".hidden", "certs/key.pem"})
    void entriesNginxNeverReadsAreRefusedToo(String name) throws IOException {
        // conf.d is copied into the container whole, whatever nginx includes.
        Files.createDirectories(confD.resolve(name).getParent());
        Path entry = link(confD.resolve(name), secret);

        assertThat(refusal(ParseRequest.of(confD))).startsWith(entry + ": symlink to " + secret + ", outside");
    }

    @Test
    void aLinkedDirectoryOutsideIsRefusedAtTheLink() throws IOException {
        Files.writeString(elsewhere.resolve("x.conf"), MARKER + "\n");
        Path dir = link(confD.resolve("snippets"), elsewhere);
        Files.writeString(confD.resolve("app.conf"), "server {\n    listen 80;\n    include conf.d/snippets/*.conf;\n}\n");

        assertThat(refusal(ParseRequest.of(confD))).startsWith(dir + ": symlink to " + elsewhere + ", outside");
    }

    @Test
    void aLinkInAnNginxFilesDirectoryIsRefused() throws IOException {
        Path files = Files.createDirectories(project.resolve("nginx"));
        Path entry = link(files.resolve("proxy.conf"), secret);

        assertThat(refusal(ParseRequest.of(confD).withFiles(Map.of("/config/nginx", files))))
                .startsWith(entry + ": symlink to " + secret + ", outside");
    }

    @Test
    void aMainConfigLinkedOutsideIsRefused() throws IOException {
        Path main = link(project.resolve("nginx.conf"), secret);

        assertThat(refusal(ParseRequest.of(confD).withMainConf(main)))
                .startsWith(main + ": is a symlink to " + secret + ", outside the project's trees");
    }

    @Test
    void linksBetweenTheProjectsTreesAreFine() throws IOException {
        Path files = Files.createDirectories(project.resolve("nginx"));
        Files.writeString(files.resolve("site.conf"), "server {\n    listen 81;\n    server_name site.example.com;\n}\n");
        link(confD.resolve("site.conf"), files.resolve("site.conf"));
        link(confD.resolve("shared"), files);

        NginxConfig config = NginxConfig.parse(ParseRequest.of(confD).withFiles(Map.of("/config/nginx", files)));

        assertThat(config.servers()).hasSize(2);
    }

    @Test
    void aLinkedConfDItselfIsTheTree() throws IOException {
        Path real = Files.createDirectories(project.resolve("real-conf.d"));
        Files.writeString(real.resolve("app.conf"), "server {\n    listen 80;\n}\n");
        Path linked = link(project.resolve("linked"), real);

        assertThat(NginxConfig.parse(linked).servers()).hasSize(1);
    }

    // ---- parse errors quote at most a directive's name ---------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            MARKER,                                            // a shadow line: one word, no ";"
            "apikey_0123456789abcdef",                         // a name-like word alone on its line
            "apikey_0123456789abcdef\n",
            "token = s3cr3t-value-here",                       // words without ";"
            "\"quoted-secret-value\"x;",                       // text right after a closing quote
            "password-is-{12}-long;",                          // a brace quantifier in an unquoted word
            "secret_block_name with arguments {\n",            // a block never closed
            "secret_block_name {\n  inner_secret_line_here\n", // and a directive in it never ended
            "listen 80\nserver_name_secret_value_line\n}",     // a stray "}" after a directive without ";"
            "\"unterminated quote with secret inside\n",
            "allow 10.0.0.1 # comment with secret text\n}\n",
    })
    void parseErrorsNeverQuoteAWholeLineOfTheFile(String content) throws IOException {
        Path bad = Files.writeString(confD.resolve("bad.conf"), content);

        String message = assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .actual().getMessage();

        assertThat(message).startsWith(bad + ":").doesNotContain("\n");
        assertNoWholeLine(message.substring(bad.toString().length()), content);
    }

    @Test
    void noParseErrorOfTheErrorCorpusQuotesAWholeLine() throws IOException {
        try (Stream<Path> scenarios = Files.list(Corpus.dir("errors"))) {
            for (Path scenario : scenarios.sorted().toList()) {
                Path dir = scenario.resolve("conf.d");
                String message;
                try {
                    NginxConfig.parse(dir);
                    continue;
                } catch (NginxConfigException e) {
                    message = e.detail();
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        assertNoWholeLine(message, new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Lines of a few characters ("}", "{") are punctuation the messages name, not content. */
    private static void assertNoWholeLine(String message, String content) {
        content.lines().map(String::strip).filter(line -> line.length() > 3)
                .forEach(line -> assertThat(message).as("message quotes the line %s", line).doesNotContain(line));
    }
}
