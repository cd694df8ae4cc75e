package dev.proxystage.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's own rules over the realistic multiapp tree (test resources trees/multiapp): the tree as it is gives no
 * finding, and each copy with one mutation gives exactly the finding nginx would give, at the mutated file:line.
 */
class MultiAppRulesTest {

    private static final Path TREE = Path.of("src/test/resources/trees/multiapp");

    @TempDir
    Path dir;

    @Test
    void theCleanTreeHasNoFindingInAnyStage() {
        for (String stage : List.of("seed", "wip", "prep", "ship", "prod")) {
            assertThat(problems(TREE, stage)).as(stage).isEmpty();
        }
    }

    @Test
    void aHeaderBesideTheSnippetThatSetsItIsSetTwice() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "        proxy_pass $upstream_proto",
                "        proxy_set_header Host $host;\n        proxy_pass $upstream_proto") ;

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "bookstack.subdomain.conf") + ":" + line
                + ": warning: Host is set twice for location / of server bookstack.example.com: here and at "
                + tree.resolve("nginx/proxy.conf") + ":11 (the backend receives two Host headers)");
    }

    @Test
    void aSecondDefaultServerOnOneAddressAndPortIsAnError() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "    listen 443 ssl;\n",
                "    listen 443 ssl default_server;\n");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "bookstack.subdomain.conf") + ":" + line
                + ": a duplicate default server for 0.0.0.0:443 (the first is at " + conf(tree, "00-default.conf")
                + ":22); nginx refuses to start");
    }

    @Test
    void aDuplicateDefaultServerFailsTheStageBeforeAnyContainer() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "    listen 443 ssl;\n",
                "    listen 443 ssl default_server;\n");

        try (var ca = TestCertificateAuthority.create("rules")) {
            assertThatThrownBy(() -> StagePlan.prepare(definition(tree, "prep"), ca, false))
                    .isInstanceOf(ProxyStageException.class)
                    .hasMessage(conf(tree, "bookstack.subdomain.conf") + ":" + line + ": a duplicate default server"
                            + " for 0.0.0.0:443 (the first is at " + conf(tree, "00-default.conf") + ":22); nginx"
                            + " refuses to start");
        }
    }

    @Test
    void aListenWithoutAnAddressIsAnError() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "    listen 443 ssl;\n", "    listen abc ssl;\n");

        assertThatThrownBy(() -> problems(tree, "prep")).isInstanceOf(ProxyStageException.class)
                .hasMessage(conf(tree, "bookstack.subdomain.conf") + ":" + line + ": host not found in \"abc\" of"
                        + " the \"listen\" directive (listen takes an IP address, \"*\" or a port)");
    }

    @Test
    void aListenWithABadPortIsAnError() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "    listen 443 ssl;\n",
                "    listen 4430000 ssl;\n");

        assertThatThrownBy(() -> problems(tree, "prep")).isInstanceOf(ProxyStageException.class)
                .hasMessage(conf(tree, "bookstack.subdomain.conf") + ":" + line + ": invalid port in \"4430000\" of"
                        + " the \"listen\" directive");
    }

    @Test
    void aListenWithABadIpv6AddressIsAnError() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "    listen [::]:443 ssl;\n",
                "    listen [::g1]:443 ssl;\n");

        assertThatThrownBy(() -> problems(tree, "prep")).isInstanceOf(ProxyStageException.class)
                .hasMessage(conf(tree, "bookstack.subdomain.conf") + ":" + line + ": invalid IPv6 address in"
                        + " \"[::g1]:443\" of the \"listen\" directive");
    }

    @Test
    void aLocationAtHttpLevelInAConfDFileIsNotAllowed() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "## BookStack - team documentation\n",
                "## BookStack - team documentation\nlocation /stray { return 404; }\n") + 1;

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "bookstack.subdomain.conf") + ":" + line
                + ": \"location\" directive is not allowed here (in http; nginx allows it in server, location)");
    }

    @Test
    void anHttpBlockInsideConfDIsNotAllowedBecauseConfDSitsInHttp() {
        Path tree = copy();
        int line = replace(tree, "conf.d/00-maps.conf", "map ", "http { }\nmap ");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "00-maps.conf") + ":" + line
                + ": \"http\" directive is not allowed here (in http; nginx allows it in main)");
    }

    @Test
    void aProxySetHeaderInsideIfIsNotAllowed() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "        proxy_pass $upstream_proto",
                "        if ($http_x_debug) {\n            proxy_set_header X-Debug on;\n        }\n"
                        + "        proxy_pass $upstream_proto") + 1;

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "bookstack.subdomain.conf") + ":" + line
                + ": \"proxy_set_header\" directive is not allowed here (in if in location; nginx allows it in"
                + " http, server, location)");
    }

    @Test
    void aServerNameClaimedTwiceOnOnePortIsAWarningNamingBothPlaces() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "server_name bookstack.example.com;",
                "server_name bookstack.example.com miniflux.example.com;");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "miniflux.subdomain.conf") + ":6"
                + ": warning: conflicting server name \"miniflux.example.com\" on 0.0.0.0:443, [::]:443, ignored: the"
                + " server at " + conf(tree, "bookstack.subdomain.conf") + ":" + line + " claims it first, so nginx never"
                + " routes it here");
    }

    @Test
    void aVariablePortThatIsNotTheBackendsPortIsAWarningAtTheSet() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "set $upstream_port 80;",
                "set $upstream_port 8080;");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "bookstack.subdomain.conf") + ":" + line
                + ": warning: proxy_pass sends to bookstack:8080, but backend 'bookstack' of stage 'prep' serves on"
                + " port 80 (its port in the pipeline)");
    }

    @Test
    void aLiteralPortThatIsNotTheBackendsPortIsAWarningAtThePass() {
        Path tree = copy();
        int line = replace(tree, "conf.d/miniflux.subdomain.conf", "proxy_pass http://miniflux:8080;",
                "proxy_pass http://miniflux:80;");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "miniflux.subdomain.conf") + ":" + line
                + ": warning: proxy_pass sends to miniflux:80, but backend 'miniflux' of stage 'prep' serves on"
                + " port 8080 (its port in the pipeline)");
    }

    @Test
    void anUpstreamServerPortThatIsNotTheBackendsPortIsAWarningAtTheServerLine() {
        Path tree = copy();
        int line = replace(tree, "conf.d/immich.subdomain.conf", "server immich-server:2283;",
                "server immich-server:3001;");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "immich.subdomain.conf") + ":" + line
                + ": warning: proxy_pass sends to immich-server:3001, but backend 'immich-server' of stage 'prep'"
                + " serves on port 2283 (its port in the pipeline)");
    }

    @Test
    void anUnclosedVariableBraceIsAnError() {
        Path tree = copy();
        int line = replace(tree, "conf.d/bookstack.subdomain.conf", "        proxy_pass $upstream_proto",
                "        proxy_set_header X-App ${upstream_app;\n        proxy_pass $upstream_proto");

        assertThat(problems(tree, "prep")).containsExactly(conf(tree, "bookstack.subdomain.conf") + ":" + line
                + ": the closing bracket in \"upstream_app\" variable is missing (in \"${upstream_app\" of the"
                + " \"proxy_set_header\" directive)");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static String conf(Path tree, String file) {
        return tree.resolve("conf.d").resolve(file).toString();
    }

    private Path copy() {
        try (Stream<Path> files = Files.walk(TREE)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = dir.resolve(TREE.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Replaces the one occurrence of {@code old} in {@code file} of the copy; returns the 1-based line of it. */
    private static int replace(Path tree, String file, String old, String replacement) {
        try {
            Path path = tree.resolve(file);
            String text = Files.readString(path);
            int at = text.indexOf(old);
            assertThat(at).as("'" + old + "' in " + file).isGreaterThanOrEqualTo(0);
            assertThat(text.indexOf(old, at + 1)).as("'" + old + "' once in " + file).isNegative();
            Files.writeString(path, text.substring(0, at) + replacement + text.substring(at + old.length()));
            return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> problems(Path tree, String stage) {
        StageDefinition definition = definition(tree, stage);
        NginxConfig config = NginxConfig.parse(definition.nginx().parseRequest());
        // As check prints them: warnings marked.
        return StagePlan.check(definition, config).stream().map(p -> new Problem(p.severity(), p.rule(), p.file(), p.line(),
                (p.isError() ? "" : "warning: ") + p.message()).toString()).toList();
    }

    private static StageDefinition definition(Path tree, String stage) {
        return PipelineConfigLoader.load(tree.resolve("pipeline.yml"), Optional.empty()).stage(stage);
    }
}
