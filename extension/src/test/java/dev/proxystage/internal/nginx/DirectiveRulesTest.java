package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nginx's directive table applied: each rule with a tree nginx refuses and its near-twin nginx accepts. */
class DirectiveRulesTest {

    @TempDir
    Path dir;

    private List<String> check(String conf) throws IOException {
        return check(conf, NginxRules.Options.NONE);
    }

    private List<String> check(String conf, NginxRules.Options options) throws IOException {
        Path file = dir.resolve("conf.d/site.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, conf);
        return lines(NginxConfig.parse(dir.resolve("conf.d")), options);
    }

    private List<String> checkMain(String main, String conf) throws IOException {
        return checkMain(main, conf, NginxRules.Options.NONE);
    }

    private List<String> checkMain(String main, String conf, NginxRules.Options options) throws IOException {
        Path file = dir.resolve("conf.d/site.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, conf);
        Path nginxConf = Files.writeString(dir.resolve("nginx.conf"), main);
        return lines(NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(nginxConf)), options);
    }

    private static List<String> lines(NginxConfig config, NginxRules.Options options) {
        return NginxRules.check(config, options).stream()
                .map(p -> (p.isError() ? "E " : "W ") + p.file().getFileName() + ":" + p.line() + ": " + p.message())
                .toList();
    }

    private static String server(String body) {
        return "server {\n    listen 80;\n" + body + "}\n";
    }

    // ---- modules per image ----

    private static final String STREAM_MAIN = """
            events {}
            http { include /etc/nginx/conf.d/*.conf; }
            stream {
                server { listen 5432; proxy_pass db:5432; }
            }
            """;

    @Test
    void debiansNginxKnowsStreamOnlyOnceLoadModuleLoadsIt() throws IOException {
        NginxRules.Options offline = NginxRules.Options.forImage("proxystage/nginx:offline", Set.of());
        assertThat(checkMain(STREAM_MAIN, server(""), offline)).singleElement()
                .satisfies(line -> assertThat(line).startsWith("E nginx.conf:3: unknown directive \"stream\" ("));
        assertThat(checkMain("load_module modules/ngx_stream_module.so;\n" + STREAM_MAIN, server(""), offline)).isEmpty();
        // another module's load_module does not bring stream
        assertThat(checkMain("load_module modules/ngx_http_echo_module.so;\n" + STREAM_MAIN, server(""), offline))
                .singleElement().satisfies(line -> assertThat(line).startsWith("E nginx.conf:4: unknown directive \"stream\""));
    }

    @Test
    void theOfficialImageAndUnknownImagesAcceptStreamWithoutLoadModule() throws IOException {
        assertThat(checkMain(STREAM_MAIN, server(""), NginxRules.Options.forImage("nginx:1.26-alpine", Set.of()))).isEmpty();
        assertThat(checkMain(STREAM_MAIN, server(""), NginxRules.Options.forImage("example.org/edge/nginx:7", Set.of())))
                .isEmpty();
        assertThat(checkMain(STREAM_MAIN, server(""))).isEmpty();
    }

    @Test
    void debiansNginxKnowsMailOnlyOnceLoaded() throws IOException {
        String mail = "events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\nmail {\n    auth_http 127.0.0.1:9000/auth;\n}\n";
        NginxRules.Options offline = NginxRules.Options.forImage("proxystage/nginx:offline", Set.of());
        assertThat(checkMain(mail, server(""), offline)).singleElement()
                .satisfies(line -> assertThat(line).startsWith("E nginx.conf:3: unknown directive \"mail\""));
        assertThat(checkMain("load_module modules/ngx_mail_module.so;\n" + mail, server(""), offline)).isEmpty();
    }

    // ---- unknown directives ----------------------------------------------------------------------------------

    @Test
    void anUnknownDirectiveIsAnErrorWithTheNearestKnownOne() throws IOException {
        assertThat(check(server("    retrun 200;\n"))).containsExactly(
                "E site.conf:3: unknown directive \"retrun\", did you mean \"return\"?");
        assertThat(check(server("    return 200;\n"))).isEmpty();
    }

    @Test
    void anUnknownDirectiveFarFromAnyKnownOneHasNoSuggestion() throws IOException {
        assertThat(check(server("    more_set_headers \"Server: x\";\n"))).containsExactly(
                "E site.conf:3: unknown directive \"more_set_headers\"");
    }

    @Test
    void withThirdPartyModulesAnUnknownDirectiveIsOnlyAWarningAndItsBlockIsNotJudged() throws IOException {
        NginxRules.Options modules = new NginxRules.Options(Optional.empty(), Set.of("headers-more"));
        assertThat(check(server("    more_set_headers \"Server: x\";\n    lua_block { anything goes; }\n"), modules))
                .containsExactly(
                        "W site.conf:3: unknown directive \"more_set_headers\"; no module of nginx's own has it, so it"
                                + " must come from a module the configuration loads",
                        "W site.conf:4: unknown directive \"lua_block\"; no module of nginx's own has it, so it must"
                                + " come from a module the configuration loads");
    }

    @Test
    void loadModuleInTheMainConfigOpensTheTableToo() throws IOException {
        assertThat(checkMain("""
                load_module modules/ngx_http_headers_more_filter_module.so;
                events {}
                http { include /etc/nginx/conf.d/*.conf; }
                """, server("    more_set_headers \"Server: x\";\n")))
                .singleElement().asString().startsWith("W site.conf:3: unknown directive \"more_set_headers\"");
    }

    @Test
    void includingTheImagesModuleDirectoryOpensTheTable() throws IOException {
        assertThat(checkMain("""
                include /etc/nginx/modules-enabled/*.conf;
                events {}
                http { include /etc/nginx/conf.d/*.conf; }
                """, server("    echo hello;\n"))).singleElement().asString().startsWith("W site.conf:3:");
    }

    @Test
    void aDynamicOnlyModuleNeedsLoadModule() throws IOException {
        String conf = "geoip_country /usr/share/GeoIP/GeoIP.dat;\n" + server("");
        assertThat(check(conf)).containsExactly("E site.conf:1: unknown directive \"geoip_country\" (it is in"
                + " ngx_http_geoip_module, which nginx builds only as a dynamic module: load it with load_module in"
                + " the main nginx.conf)");
        assertThat(checkMain("""
                load_module modules/ngx_http_geoip_module.so;
                events {}
                http { include /etc/nginx/conf.d/*.conf; }
                """, conf)).isEmpty();
    }

    // ---- contexts, blocks, argument counts ---------------------------------------------------------------------

    @Test
    void aDirectiveOutsideItsContextsIsNotAllowedHere() throws IOException {
        assertThat(check(server("    proxy_pass http://127.0.0.1:81;\n"))).containsExactly(
                "E site.conf:3: \"proxy_pass\" directive is not allowed here (in server; nginx allows it in location,"
                        + " if in location, limit_except)");
        assertThat(check(server("    location / { proxy_pass http://127.0.0.1:81; }\n"))).isEmpty();
    }

    @Test
    void upstreamAndEventsDirectivesFollowTheirOwnContexts() throws IOException {
        assertThat(check("upstream app { server 127.0.0.1:81; keepalive 8; least_conn; }\n"
                + server("    keepalive 8;\n    location / { proxy_pass http://app; }\n"))).containsExactly(
                "E site.conf:4: \"keepalive\" directive is not allowed here (in server; nginx allows it in upstream)");
        assertThat(checkMain("events { worker_connections 64; use epoll; }\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
                server(""))).isEmpty();
    }

    @Test
    void streamAndMailBlocksAreJudgedWithTheirModules() throws IOException {
        assertThat(checkMain("""
                events {}
                stream {
                    upstream dns { server 127.0.0.1:53; }
                    server { listen 53 udp; proxy_pass dns; proxy_timeout 1s; ssl_preread on; }
                    server { listen 54; proxy_pas dns; }
                }
                http { include /etc/nginx/conf.d/*.conf; }
                """, server(""))).containsExactly("E nginx.conf:5: unknown directive \"proxy_pas\", did you mean"
                + " \"proxy_pass\"?");
    }

    @Test
    void aBlockDirectiveWithoutItsBlockAndASimpleOneWithABlock() throws IOException {
        assertThat(check(server("    limit_except GET { deny all; }\n"))).containsExactly(
                "E site.conf:3: \"limit_except\" directive is not allowed here (in server; nginx allows it in location)");
        // Every block directive of nginx's is one the parser knows: a missing block is a parse error.
        assertThatThrownBy(() -> check(server("    location / { limit_except GET; }\n")))
                .hasMessageEndingWith("site.conf:3: directive \"limit_except\" has no opening \"{\"");
        assertThat(check("upstream app { server 127.0.0.1:81 { } }\n" + server(""))).containsExactly(
                "E site.conf:1: directive \"server\" is not terminated by \";\"");
        assertThat(check(server("    location / { etag on { } }\n"))).containsExactly(
                "E site.conf:3: directive \"etag\" is not terminated by \";\"");
    }

    @Test
    void aWrongNumberOfArgumentsIsRefused() throws IOException {
        assertThat(check(server("    location / { proxy_set_header Host; proxy_pass http://127.0.0.1:81; }\n")))
                .containsExactly("E site.conf:3: invalid number of arguments in \"proxy_set_header\" directive");
        assertThat(check(server("    location / { proxy_set_header Host $host; proxy_pass http://127.0.0.1:81; }\n")))
                .isEmpty();
        assertThat(check(server("    gzip;\n"))).containsExactly(
                "E site.conf:3: invalid number of arguments in \"gzip\" directive");
    }

    // ---- values ----------------------------------------------------------------------------------------------

    @Test
    void aFlagTakesOnOrOffInAnyCase() throws IOException {
        assertThat(check(server("    tcp_nodelay yes;\n"))).containsExactly(
                "E site.conf:3: invalid value \"yes\" in \"tcp_nodelay\" directive, it must be \"on\" or \"off\"");
        assertThat(check(server("    tcp_nodelay OFF;\n    gzip On;\n"))).isEmpty();
    }

    @Test
    void anEnumTakesOnlyItsWords() throws IOException {
        assertThat(check(server("    server_tokens maybe;\n"))).containsExactly(
                "E site.conf:3: invalid value \"maybe\" (\"server_tokens\" takes \"off\", \"on\" or \"build\")");
        assertThat(check(server("    server_tokens Off;\n"))).isEmpty();
    }

    @Test
    void aBitmaskTakesOnlyItsWords() throws IOException {
        assertThat(check(server("    ssl_protocols TLSv1.2 TLSv1.4;\n"))).singleElement().asString()
                .startsWith("E site.conf:3: invalid value \"TLSv1.4\" (\"ssl_protocols\" takes ");
        assertThat(check(server("    ssl_protocols TLSv1.2 TLSv1.3;\n"))).isEmpty();
    }

    // ---- duplicates ------------------------------------------------------------------------------------------

    @Test
    void aSecondSlotDirectiveInOneBlockIsDuplicate() throws IOException {
        assertThat(check(server("    client_max_body_size 1m;\n    client_max_body_size 2m;\n"))).containsExactly(
                "E site.conf:4: \"client_max_body_size\" directive is duplicate (the first is at line 3)");
        assertThat(check(server("    client_max_body_size 1m;\n    location / { client_max_body_size 2m; }\n"
                + "    if ($args) { return 204; }\n"))).isEmpty();
    }

    @Test
    void aHandlerThatRefusesARepeatIsDuplicateAndOneThatAddsIsNot() throws IOException {
        assertThat(check(server("    location / { proxy_pass http://127.0.0.1:81; proxy_pass http://127.0.0.1:82; }\n")))
                .containsExactly("E site.conf:3: \"proxy_pass\" directive is duplicate (the first is at line 3)");
        assertThat(check(server("    add_header X-A 1;\n    add_header X-B 2;\n    location / { mirror /a; mirror /b;"
                + " proxy_redirect off; proxy_pass http://127.0.0.1:81; }\n"))).isEmpty();
    }

    @Test
    void rootAndAliasShareOneField() throws IOException {
        assertThat(check(server("    location /f/ { root /srv; alias /srv/f/; }\n"))).containsExactly(
                "E site.conf:3: \"alias\" directive is duplicate, \"root\" directive was specified earlier (at line 3)");
        assertThat(check(server("    root /srv;\n    location /f/ { alias /srv/f/; }\n"))).isEmpty();
    }

    @Test
    void withoutAMainConfigConfDSharesTheImagesHttpBlock() throws IOException {
        assertThat(check("sendfile on;\n" + server(""))).containsExactly(
                "E site.conf:1: \"sendfile\" directive is duplicate (without a main config in pipeline.yml, conf.d is"
                        + " included in the http block of the image's nginx.conf, which sets \"sendfile\" already)");
        assertThat(check("keepalive_timeout 30s;\n" + server(""))).singleElement().asString()
                .startsWith("E site.conf:1: \"keepalive_timeout\" directive is duplicate");
        assertThat(check(server("    sendfile on;\n    keepalive_timeout 30s;\n"))).isEmpty();
        assertThat(checkMain("events {}\nhttp { sendfile on; include /etc/nginx/conf.d/*.conf; }\n", server("")))
                .isEmpty();
    }

    // ---- versions --------------------------------------------------------------------------------------------

    @Test
    void aDirectiveTheStagesNginxLacksIsUnknownThereWithTheVersionThatHasIt() throws IOException {
        String conf = server("    http2 on;\n");
        assertThat(check(conf, NginxRules.Options.version("1.22.1"))).containsExactly(
                "E site.conf:3: unknown directive \"http2\" (\"http2\" needs nginx 1.25.1; the stage's nginx is 1.22.1)");
        assertThat(check(conf, NginxRules.Options.version("1.26.3"))).isEmpty();
        assertThat(check(conf)).isEmpty();
    }

    @Test
    void aNewerNginxThanTheTableKnowsOnlyWarnsAboutUnknownNames() throws IOException {
        assertThat(check(server("    brand_new_directive on;\n"), NginxRules.Options.version("1.29.0")))
                .singleElement().asString().startsWith("W site.conf:3: unknown directive \"brand_new_directive\" in nginx"
                        + " 1.22.1, 1.26.3;");
    }

    @Test
    void aVersionThatIsNoVersionIsIgnored() throws IOException {
        assertThat(check(server("    http2 on;\n"), NginxRules.Options.version("latest"))).isEmpty();
    }

    @Test
    void theStageImagesTagIsItsNginxVersionWhenTheTableReachesIt() throws IOException {
        String conf = server("    http2 on;\n");
        assertThat(check(conf, NginxRules.Options.forImage("nginx:1.24.0-alpine", Set.of()))).containsExactly(
                "E site.conf:3: unknown directive \"http2\" (\"http2\" needs nginx 1.25.1; the stage's nginx is 1.24.0)");
        assertThat(check(conf, NginxRules.Options.forImage("nginxinc/nginx-unprivileged:1.22", Set.of())))
                .containsExactly("E site.conf:3: unknown directive \"http2\" (\"http2\" needs nginx 1.25.1; the stage's"
                        + " nginx is 1.22.x)");
        // "1.25" may be 1.25.5 today: a directive of 1.25.1 is not refused for it.
        assertThat(check(conf, NginxRules.Options.forImage("nginx:1.25", Set.of()))).isEmpty();
        // Newer than the table: the newest table judges; a typo stays an error.
        assertThat(check(server("    retrun 200;\n"), NginxRules.Options.forImage("nginx:1.27.3", Set.of())))
                .singleElement().asString().startsWith("E site.conf:3: unknown directive \"retrun\"");
    }

    @Test
    void imagesWhoseTagIsNotNginxsVersionTellNone() {
        assertThat(NginxRules.Options.imageVersion("nginx:1.24.0")).contains("1.24.0");
        assertThat(NginxRules.Options.imageVersion("registry.example:5000/library/nginx:1.26.3-perl@sha256:ab"))
                .contains("1.26.3");
        assertThat(NginxRules.Options.imageVersion("nginx:1.25")).contains("1.25.x");
        assertThat(NginxRules.Options.imageVersion("nginx:stable")).isEmpty();
        assertThat(NginxRules.Options.imageVersion("nginx")).isEmpty();
        assertThat(NginxRules.Options.imageVersion("localhost:5000/nginx")).isEmpty();
        assertThat(NginxRules.Options.imageVersion("jc21/nginx-proxy-manager:2.11.3")).isEmpty();
        assertThat(NginxRules.Options.imageVersion("openresty/openresty:1.21.4.1-alpine")).isEmpty();
        assertThat(NginxRules.Options.imageVersion("proxystage/nginx:offline")).contains(NginxRules.OFFLINE_IMAGE_NGINX);
        assertThat(NginxRules.Options.imageVersion("example/proxystage:1.2")).isEmpty();
    }
}
