package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf.d trees nginx accepts but that could exhaust a recursive parser, and entries that cannot be staged. */
class HostileConfDTest {

    @TempDir
    Path dir;

    private Path confD() throws IOException {
        return Files.createDirectories(dir.resolve("conf.d"));
    }

    /** {@code depth} nested locations with a proxy_pass at the bottom. */
    static String deeplyNested(int depth) {
        StringBuilder conf = new StringBuilder("server {\n  listen 80;\n  server_name deep.example.com;\n");
        conf.append("  location /a {\n".repeat(depth));
        conf.append("    proxy_pass http://vaultwarden:80;\n");
        conf.append("  }\n".repeat(depth));
        return conf.append("}\n").toString();
    }

    @Test
    void thousandsOfNestedBlocksParseAndCheckWithoutRecursion() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("deep.conf"), deeplyNested(Parser.MAX_NESTING - 1));

        NginxConfig config = NginxConfig.parse(confD);

        assertThat(config.proxyTargets()).singleElement().satisfies(t -> assertThat(t.host()).isEqualTo("vaultwarden"));
        assertThat(StagePlanCheck.check(config, "prep", Set.of("prep"), Set.of("vaultwarden"))).isEmpty();
    }

    @Test
    void nestingPastTheLimitIsOneLineAtTheBlockThatCrossesIt() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("deep.conf"), deeplyNested(Parser.MAX_NESTING + 10));

        // server is level 1, so location number MAX_NESTING (on line MAX_NESTING + 3) is one level too deep.
        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessage(confD.resolve("deep.conf") + ":" + (Parser.MAX_NESTING + 3) + ": blocks nested deeper than "
                        + Parser.MAX_NESTING + " levels; ProxyStage checks configurations up to that depth");
    }

    @Test
    void anUnclosedBlockDeepDownIsStillOneLine() throws IOException {
        Path confD = confD();
        String conf = deeplyNested(3_000);
        Files.writeString(confD.resolve("deep.conf"), conf.substring(0, conf.length() - 4));

        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessageStartingWith(confD.resolve("deep.conf") + ":").hasMessageContaining("expecting \"}\"");
    }

    @Test
    void aConfEntryThatIsADirectoryIsAnError() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("a.conf"), "server { listen 80; }\n");
        Files.createDirectories(confD.resolve("old.conf"));

        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessage(confD.resolve("old.conf") + ": is a directory, but nginx includes every conf.d/*.conf as a"
                        + " file; rename it or move it out of conf.d");
    }

    @Test
    void aDanglingConfSymlinkIsAnError() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("a.conf"), "server { listen 80; }\n");
        Files.createSymbolicLink(confD.resolve("b.conf"), dir.resolve("gone.conf"));

        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessage(confD.resolve("b.conf") + ": symlink to " + dir.resolve("gone.conf")
                        + ", which does not exist (or loops); nginx includes every conf.d/*.conf");
    }

    @Test
    void aConfSymlinkToItselfIsAnError() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("a.conf"), "server { listen 80; }\n");
        Files.createSymbolicLink(confD.resolve("self.conf"), confD.resolve("self.conf"));

        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessageStartingWith(confD.resolve("self.conf") + ": symlink to ");
    }

    @Test
    void aDirectorySymlinkLoopInsideConfDIsAnErrorNotAStackOverflow() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("a.conf"), "server { listen 80; }\n");
        Files.createDirectories(confD.resolve("snippets"));
        Files.createSymbolicLink(confD.resolve("snippets/up"), confD);

        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessageStartingWith(confD.resolve("snippets/up") + ": symlink loop: it leads back to "
                        + confD.toRealPath());
    }

    @Test
    void aDanglingSymlinkAnywhereInConfDIsAnError() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("a.conf"), "server { listen 80; }\n");
        Files.createDirectories(confD.resolve("snippets"));
        Files.createSymbolicLink(confD.resolve("snippets/tls.inc"), dir.resolve("nowhere"));

        assertThatThrownBy(() -> NginxConfig.parse(confD)).isInstanceOf(NginxConfigException.class)
                .hasMessageStartingWith(confD.resolve("snippets/tls.inc") + ": dangling symlink");
    }

    @Test
    void twoLinksToOneDirectoryAreNoLoop() throws IOException {
        Path confD = confD();
        Files.writeString(confD.resolve("a.conf"), "server { listen 80; }\n");
        // Inside conf.d: a link out of the project's trees is refused on its own (ConfDSymlinkEscapeTest).
        Path shared = Files.createDirectories(confD.resolve("shared"));
        Files.createSymbolicLink(confD.resolve("one"), shared);
        Files.createSymbolicLink(confD.resolve("two"), shared);

        assertThat(NginxConfig.parse(confD).servers()).hasSize(1);
    }
}
