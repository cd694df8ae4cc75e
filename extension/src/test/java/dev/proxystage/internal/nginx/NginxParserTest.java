package dev.proxystage.internal.nginx;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The directive model: tokens, quoting, comments, blocks, and includes spliced in with their own file:line. */
class NginxParserTest {

    private final Path confD = Corpus.dir("basic/conf.d");
    private final NginxConfig config = Corpus.parse("basic");

    private Directive http() {
        assertThat(config.directives()).hasSize(1);
        return config.directives().get(0);
    }

    private Directive firstServer() {
        return http().children("server").get(0);
    }

    private Directive location(String pattern) {
        for (Directive d : firstServer().children("location")) {
            if (d.args().get(d.args().size() - 1).equals(pattern)) {
                return d;
            }
        }
        throw new AssertionError("no location " + pattern);
    }

    @Test
    void wrapsConfDFilesInAnImplicitHttpInNameOrder() {
        Directive http = http();
        assertThat(http.name()).isEqualTo("http");
        assertThat(http.file()).isEqualTo(confD);
        assertThat(http.line()).isZero();
        assertThat(http.block()).extracting(Directive::name)
                .containsExactly("upstream", "map", "map", "types", "ssl_certificate", "ssl_certificate_key",
                        "server", "server", "server", "server");
        assertThat(http.block().get(0).file()).isEqualTo(confD.resolve("00-http.conf"));
        assertThat(http.block().get(6).file()).isEqualTo(confD.resolve("10-app.conf"));
    }

    @Test
    void recordsNameArgsFileLineAndBlock() {
        Directive upstream = http().block().get(0);
        assertThat(upstream.name()).isEqualTo("upstream");
        assertThat(upstream.args()).containsExactly("backend");
        assertThat(upstream.line()).isEqualTo(2);
        assertThat(upstream.hasBlock()).isTrue();
        assertThat(upstream.block()).extracting(Directive::line).containsExactly(3, 4, 5, 6);
        Directive server = upstream.block().get(0);
        assertThat(server.args()).containsExactly("vaultwarden:8080", "weight=5");
        assertThat(server.hasBlock()).isFalse();
        assertThat(server.block()).isEmpty();
        assertThat(server.where()).isEqualTo(confD.resolve("00-http.conf") + ":3");

        Directive empty = location("/empty");
        assertThat(empty.hasBlock()).isTrue();
        assertThat(empty.block()).isEmpty();
    }

    @Test
    void unquotesSingleAndDoubleQuotesAndUnescapes() {
        assertThat(firstServer().children("server_name").get(0).args())
                .containsExactly("app.example.com", "www.app.example.com");
        assertThat(location("/exact").children("return").get(0).args())
                .containsExactly("200", "single quoted; with \"double\" and # inside");
        List<Directive> headers = location("/escaped").children("add_header");
        assertThat(headers.get(0).args()).containsExactly("X-Escaped", "a \"quoted\" word\tand tab");
        assertThat(headers.get(0).line()).isEqualTo(51);
    }

    @Test
    void keepsVariablesBracesHashesAndClosingBracesInsideTokens() {
        List<Directive> headers = location("/escaped").children("add_header");
        assertThat(headers.get(1).args()).containsExactly("X-Host", "${host}-x");
        assertThat(headers.get(2).args()).containsExactly("X-Hash", "a#b");
        Directive ret = location("/escaped").children("return").get(0);
        assertThat(ret.args()).containsExactly("200", "a}b");
        assertThat(ret.line()).isEqualTo(54);
    }

    @Test
    void skipsCommentsWithoutLosingLines() {
        Directive upstream = http().block().get(0);
        assertThat(upstream.block().get(1).args()).containsExactly("api");
        assertThat(upstream.block().get(1).line()).isEqualTo(4);
        // "# matches nothing ..." trails the include on line 10; the next directive is the location on line 12.
        assertThat(location("/").line()).isEqualTo(12);
    }

    @Test
    void parsesRegexLocationsWithQuotedBracesAndEscapes() {
        assertThat(location("^/(a|b){2}$").args()).containsExactly("~", "^/(a|b){2}$");
        assertThat(location("^/(a|b){2}$").line()).isEqualTo(28);
        assertThat(location("^/api/(?<rest>.*)$").args()).containsExactly("~", "^/api/(?<rest>.*)$");
        Directive nested = location("/static/").children("location").get(0);
        assertThat(nested.args()).containsExactly("~*", "\\.(css|js)$");
        assertThat(nested.line()).isEqualTo(23);
    }

    @Test
    void parsesIfConditionsAsNginxTokenizesThem() {
        List<Directive> ifs = location("/if").children("if");
        assertThat(ifs).hasSize(2);
        assertThat(ifs.get(0).args()).containsExactly("($request_method", "=", "POST)");
        assertThat(ifs.get(1).args()).containsExactly("($http_x_debug", "~*", "^(yes|on)$", ")");
        assertThat(ifs.get(1).block()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("add_header");
            assertThat(d.line()).isEqualTo(45);
        });
    }

    @Test
    void keepsMapAndTypesEntriesAsData() {
        Directive map = http().block().get(1);
        assertThat(map.args()).containsExactly("$http_upgrade", "$connection_upgrade");
        assertThat(map.block()).extracting(Directive::name).containsExactly("default", "");
        assertThat(map.block().get(1).args()).containsExactly("close");
        Directive types = http().block().get(3);
        assertThat(types.block()).extracting(Directive::name).containsExactly("text/html", "application/json");
        assertThat(types.block().get(0).args()).containsExactly("html", "htm");
    }

    @Test
    void splicesARelativeIncludeResolvedAgainstThePrefix() {
        Directive common = location("/common");
        assertThat(common.file()).isEqualTo(confD.resolve("snippets/common.conf"));
        assertThat(common.line()).isEqualTo(2);
        assertThat(firstServer().children("include")).as("include directives are replaced").isEmpty();
    }

    @Test
    void splicesAnAbsoluteGlobIncludeSortedSkippingHiddenAndNonMatchingFiles() {
        List<Directive> order = new ArrayList<>();
        for (Directive d : firstServer().children("add_header")) {
            order.add(d);
        }
        assertThat(order).extracting(d -> d.args().get(1)).containsExactly("a", "m", "z");
        assertThat(order).extracting(Directive::file).containsExactly(
                confD.resolve("snippets/headers/a.conf"),
                confD.resolve("snippets/headers/m.conf"),
                confD.resolve("snippets/headers/z.conf"));
        assertThat(order).extracting(Directive::line).containsOnly(1);
        // The spliced directives sit where the include was: after common.conf's location, before "location /".
        List<String> names = firstServer().block().stream().map(Directive::name).toList();
        assertThat(names.subList(5, 10)).containsExactly("location", "add_header", "add_header", "add_header",
                "location");
    }

    @Test
    void listsEveryFileReadInOrder() {
        assertThat(config.files()).containsExactly(
                confD.resolve("00-http.conf"),
                confD.resolve("10-app.conf"),
                confD.resolve("snippets/common.conf"),
                confD.resolve("snippets/headers/a.conf"),
                confD.resolve("snippets/headers/m.conf"),
                confD.resolve("snippets/headers/z.conf"));
    }

    @Test
    void parsesAMainNginxConfWithMappedIncludesAndSkipsImageFiles() {
        Path root = Corpus.dir("mainconf");
        NginxConfig main = NginxConfig.parse(ParseRequest.of(root.resolve("conf.d"))
                .withMainConf(root.resolve("nginx.conf"))
                .withFiles(Map.of("/etc/nginx/snippets", root.resolve("snippets"))));
        // modules-enabled/*.conf and mime.types ship with the image and are not part of the configuration.
        assertThat(main.directives()).extracting(Directive::name)
                .containsExactly("user", "worker_processes", "events", "http", "stream");
        Directive http = main.directives().get(3);
        assertThat(http.block()).extracting(Directive::name).containsExactly("default_type", "server");
        Directive server = http.block().get(1);
        assertThat(server.file()).isEqualTo(root.resolve("conf.d/site.conf"));
        assertThat(server.block().get(1).name()).isEqualTo("ssl_certificate");
        assertThat(server.block().get(1).file()).isEqualTo(root.resolve("snippets/tls.conf"));
        assertThat(main.files()).containsExactly(root.resolve("nginx.conf"), root.resolve("conf.d/site.conf"),
                root.resolve("snippets/tls.conf"));
    }

    @Test
    void mapsSwagStyleAbsoluteIncludesThroughNginxFiles() {
        Path root = Corpus.dir("swag");
        NginxConfig swag = NginxConfig.parse(ParseRequest.of(root.resolve("conf.d"))
                .withFiles(Map.of("/config/nginx", root.resolve("nginx"))));
        Directive http = swag.directives().get(0);
        assertThat(http.block().get(0).name()).isEqualTo("resolver");
        assertThat(http.block().get(0).file()).isEqualTo(root.resolve("nginx/resolver.conf"));
        assertThat(swag.files()).contains(root.resolve("nginx/ssl.conf"), root.resolve("nginx/proxy.conf"));
    }

    @Test
    void argumentsWrappedOntoTheNextLineAreNoMissingSemicolon() {
        NginxConfig wrapped = Corpus.parse("wrapped");
        Directive http = wrapped.directives().get(0);
        assertThat(http.block().get(0).args()).containsExactly("main", "$remote_addr - $request ", "$status");
        Directive server = http.block().get(1);
        assertThat(server.children("listen").get(0).args()).containsExactly("443", "ssl", "http2");
        assertThat(server.children("location").get(0).block().get(0).args())
                .containsExactly("^/old/(.*)$", "/new/$1", "break");
        assertThat(wrapped.servers().get(0).listens().get(0).ssl()).isTrue();
    }
}
