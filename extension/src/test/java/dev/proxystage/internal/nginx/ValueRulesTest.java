package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values as nginx parses them, each rule with a tree nginx refuses and one it accepts (the wording and the verdicts
 * were taken from nginx 1.22.1 and 1.26.3).
 */
class ValueRulesTest {

    @TempDir
    Path dir;

    private List<String> check(String conf) throws IOException {
        return check(conf, NginxRules.Options.NONE);
    }

    private List<String> check(String conf, NginxRules.Options options) throws IOException {
        Path file = dir.resolve("conf.d/site.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, conf);
        return NginxRules.check(NginxConfig.parse(dir.resolve("conf.d")), options).stream()
                .map(p -> (p.isError() ? "E " : "W ") + p.line() + ": " + p.message())
                .toList();
    }

    private static String server(String body) {
        return "server {\n    listen 80;\n" + body + "}\n";
    }

    // ---- if --------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "if {0}")
    @CsvSource(delimiter = ';', value = {
            "$x;invalid condition \"$x\"",
            "($x = );invalid condition \"$x\"",
            "(-z /tmp);invalid condition \"-z\"",
            "($x a b c);invalid condition \"$x\"",
            "($x ~);invalid condition \"$x\"",
            "(x);invalid condition \"x\"",
            "($x == a);unexpected \"==\" in condition",
            "($x;invalid condition \"$x\"",
            "($x ~ ^/(a$);pcre2_compile() failed: missing closing parenthesis in \"^/(a$\""})
    void aConditionNginxCannotReadIsRefused(String condition, String message) {
        assertThat(ValueRules.ifProblem(List.of(condition.split(" ")))).contains(message);
    }

    @ParameterizedTest(name = "if {0}")
    @ValueSource(strings = {"($x)", "( $x )", "($x = a)", "($x != \"\")", "($x ~ ^/a)", "($x !~* ^(GET|HEAD)$)",
            "(-f $request_filename)", "(!-d /tmp)", "(!-e $x)", "(-x /bin/sh)", "( -f /x )"})
    void aConditionNginxReadsIsAccepted(String condition) {
        assertThat(ValueRules.ifProblem(List.of(condition.split(" ")))).isEmpty();
    }

    // ---- return and rewrite ----------------------------------------------------------------------------------

    @Test
    void returnTakesACodeUpTo999OrAUrlAlone() throws IOException {
        assertThat(check(server("    location /a { return 1000; }\n    location /b { return ok \"x\"; }\n"
                + "    location /c { return /relative; }\n"))).containsExactly(
                "E 3: invalid return code \"1000\"", "E 4: invalid return code \"ok\"",
                "E 5: invalid return code \"/relative\"");
        assertThat(check(server("    location /a { return 999; }\n    location /b { return 200 http://x/; }\n"
                + "    location /c { return https://x$request_uri; }\n    location /d { return $scheme://x; }\n"
                + "    location /e { return 0200; }\n"))).isEmpty();
    }

    @Test
    void rewriteTakesOneOfItsFourFlags() throws IOException {
        assertThat(check(server("    rewrite ^/a$ /b permanently;\n"))).containsExactly(
                "E 3: invalid parameter \"permanently\"");
        assertThat(check(server("    rewrite ^/a$ /b permanent;\n    rewrite ^/c$ /d redirect;\n"
                + "    location / { rewrite ^/e$ /f last; rewrite ^/g$ /h break; }\n"))).isEmpty();
    }

    @Test
    void regexesOfLocationServerNameRewriteAndMapAreCompiled() throws IOException {
        assertThat(check("map $uri $m { default 0; ~^/(x 1; }\n" + server("""
                    server_name ~^(www\\.)?(.+$;
                    rewrite ^/(a /b;
                    location ~* ^/[abc { return 204; }
                    location ~ "^/ok/(?P<id>\\d+)$" { return 200 "$id $m"; }
                """))).containsExactly(
                "E 1: pcre2_compile() failed: missing closing parenthesis in \"^/(x\"",
                "E 4: pcre2_compile() failed: missing closing parenthesis in \"^(www\\.)?(.+$\"",
                "E 5: pcre2_compile() failed: missing closing parenthesis in \"^/(a\"",
                "E 6: pcre2_compile() failed: missing terminating ] for character class in \"^/[abc\"");
    }

    // ---- listen ----------------------------------------------------------------------------------------------

    @Test
    void listenTakesOnlyTheParametersItsNginxKnows() throws IOException {
        assertThat(check(server("    listen 8081 foo;\n"))).containsExactly("E 3: invalid parameter \"foo\"");
        assertThat(check(server("    listen 8081 default_server backlog=511 reuseport so_keepalive=on;\n"
                + "    listen [::]:8081 ipv6only=on;\n    listen 8443 ssl http2 proxy_protocol;\n"
                + "    ssl_certificate /c.pem;\n    ssl_certificate_key /k.pem;\n"))).isEmpty();
    }

    @Test
    void anUpstreamServerTakesOnlyTheParametersNginxKnows() throws IOException {
        String site = server("    location / { proxy_pass http://app; }\n");
        assertThat(check("upstream app { server 127.0.0.1:81 slow_start=30s; }\n" + site)).containsExactly(
                "E 1: invalid parameter \"slow_start=30s\"");
        assertThat(check("upstream app { server 127.0.0.1:81 weight=5 max_fails=3 fail_timeout=10s max_conns=100;"
                + " server 127.0.0.1:82 backup; server 127.0.0.1:83 down; }\n" + site)).isEmpty();
    }

    @Test
    void quicIsAListenParameterFrom126() throws IOException {
        String conf = server("    listen 443 quic reuseport;\n" + "    ssl_certificate /c.pem;\n    ssl_certificate_key /k.pem;\n");
        assertThat(check(conf, NginxRules.Options.version("1.22.1"))).containsExactly(
                "E 3: invalid parameter \"quic\"");
        assertThat(check(conf, NginxRules.Options.version("1.26.3"))).isEmpty();
    }

    @Test
    void oneAddressTwiceInAServerIsADuplicateListen() throws IOException {
        assertThat(check(server("    listen *:80;\n"))).singleElement().asString()
                .isEqualTo("E 3: a duplicate listen 0.0.0.0:80 (the first is at line 2)");
        assertThat(check(server("    listen [::]:80;\n    listen 127.0.0.1:80;\n    listen 443 quic;\n    listen 443;\n"
                + "    ssl_certificate /c.pem;\n    ssl_certificate_key /k.pem;\n")))
                .isEmpty();
    }

    @Test
    void socketOptionsOfOneAddressSetTwiceAreDuplicateListenOptions() throws IOException {
        assertThat(check("server { listen 8080 backlog=10; }\nserver { listen 8080 reuseport; server_name b; }\n"))
                .containsExactly("E 2: duplicate listen options for 0.0.0.0:8080 (the first are at line 1)");
        assertThat(check("server { listen 8080 backlog=10; }\nserver { listen 8080 proxy_protocol; server_name b; }\n"))
                .isEmpty();
    }

    @Test
    void aServerThatAnotherServersListenMakesSecureNeedsACertificate() throws IOException {
        String other = "server { listen 8080 ssl; server_name b; ssl_certificate /c.pem; ssl_certificate_key /k.pem; }\n";
        assertThat(check("server { listen 8080; }\n" + other)).containsExactly("E 1: no \"ssl_certificate\" is defined"
                + " for the \"listen ... ssl\" directive (this server is the default server of 0.0.0.0:8080, which a"
                + " listen of another server marks \"ssl\")");
        assertThat(check("server { listen 8080; ssl_certificate /c.pem; ssl_certificate_key /k.pem; }\n" + other))
                .isEmpty();
        assertThat(check("ssl_certificate /c.pem;\nssl_certificate_key /k.pem;\nserver { listen 8080; }\n" + other))
                .isEmpty();
    }

    @Test
    void addressesAreComparedAsNginxPrintsThem() {
        assertThat(ValueRules.addressPort("80")).isEqualTo("0.0.0.0:80");
        assertThat(ValueRules.addressPort("*:8080")).isEqualTo("0.0.0.0:8080");
        assertThat(ValueRules.addressPort("127.0.0.1")).isEqualTo("127.0.0.1:80");
        assertThat(ValueRules.addressPort("[::]:443")).isEqualTo("[::]:443");
        assertThat(ValueRules.addressPort("localhost:80")).isNull();
        assertThat(ValueRules.addressPort("unix:/run/x.sock")).isNull();
    }

    // ---- nested locations, error pages, log formats -------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "location /api/ { location /admin/ { return 200; } }|location \"/admin/\" is outside location \"/api/\"",
            "location = /a { location /a/b { return 200; } }|location \"/a/b\" cannot be inside the exact location \"/a\"",
            "location / { location @x { return 200; } }|named location \"@x\" can be on the server level only",
            "location @x { location /a { return 200; } }|location \"/a\" cannot be inside the named location \"@x\"",
            "location ~ \\.php$ { location /x { return 200; } }|location \"/x\" is outside location \"\\.php$\""})
    void aLocationInsideAnotherFollowsNginxsNesting(String locations, String message) throws IOException {
        assertThat(check(server("    " + locations + "\n"))).containsExactly("E 3: " + message);
    }

    @Test
    void nestedLocationsWithinTheirParentAndRegexesAreAccepted() throws IOException {
        assertThat(check(server("    location /api/ { location /api/v1/ { return 200; } location ~ \\.json$ { return 200; }"
                + " location = /api/x { return 200; } location ^~ /api/static/ { return 200; } }\n"
                + "    location ~ ^/a { location ~ b$ { return 200; } }\n"))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "error_page 200 /x;|value \"200\" must be between 300 and 599",
            "error_page 499 /x;|invalid value \"499\"",
            "error_page 404 =2xx /x;|invalid value \"=2xx\"",
            "error_page = /x;|invalid value \"=\""})
    void anErrorPageTakesCodesFrom300To599(String directive, String message) throws IOException {
        assertThat(check(server("    " + directive + "\n"))).containsExactly("E 3: " + message);
    }

    @Test
    void errorPagesNginxReadsAreAccepted() throws IOException {
        assertThat(check(server("    error_page 404 /404.html;\n    error_page 500 502 503 504 = @fallback;\n"
                + "    error_page 497 =301 https://$host$request_uri;\n    error_page 403 =200 /x;\n"
                + "    location @fallback { return 503; }\n"))).isEmpty();
    }

    @Test
    void anAccessLogNamesALogFormatDefinedBeforeIt() throws IOException {
        assertThat(check(server("    access_log /var/log/nginx/a.log json;\n    access_log /var/log/nginx/b.log buffer=32k;\n")
                + "log_format json '$remote_addr';\n")).containsExactly(
                "E 3: unknown log format \"json\"", "E 4: unknown log format \"buffer=32k\"");
        assertThat(check("log_format JSON '$remote_addr';\n" + server("    access_log /var/log/nginx/a.log json;\n"
                + "    access_log /var/log/nginx/b.log combined buffer=32k;\n    access_log /var/log/nginx/c.log main;\n"
                + "    access_log off;\n"))).isEmpty();
    }

    @Test
    void aLogFormatNameIsDefinedOnceAndTheImageDefinesMain() throws IOException {
        assertThat(check("log_format main '$remote_addr';\nlog_format site '$uri';\nlog_format site '$uri';\n"
                + "log_format combined '$uri';\n" + server(""))).containsExactly(
                "E 1: duplicate \"log_format\" name \"main\" (without a main config in pipeline.yml, conf.d is included"
                        + " in the image's http block, which defines \"main\" already)",
                "E 3: duplicate \"log_format\" name \"site\"",
                "E 4: duplicate \"log_format\" name \"combined\"");
        assertThat(check("log_format site '$uri';\nlog_format Site '$uri';\n" + server(""))).isEmpty();
    }

    // ---- locations, upstreams, proxy_pass ----------------------------------------------------------------------

    @Test
    void twoExactOrTwoPrefixLocationsOfOneNameInOneBlockAreDuplicate() throws IOException {
        assertThat(check(server("    location /a/ { return 200; }\n    location ^~ /a/ { return 201; }\n")))
                .containsExactly("E 4: duplicate location \"/a/\" (the first is at line 3)");
        assertThat(check(server("    location = /a/ { return 200; }\n    location /a/ { return 201; }\n"
                + "    location ~ /x { return 202; }\n    location ~ /x { return 203; }\n"
                + "    location @n { return 204; }\n    location @n { return 205; }\n"
                + "    location /b { location /b/c { return 206; } }\n    location /c { location /c/c { return 207; } }\n")))
                .isEmpty();
    }

    @Test
    void twoUpstreamsOfOneNameAreDuplicateWhateverTheCase() throws IOException {
        assertThat(check("upstream app { server 127.0.0.1:1; }\nupstream APP { server 127.0.0.1:2; }\n" + server("")))
                .containsExactly("E 2: duplicate upstream \"APP\" (the first is at line 1)");
        assertThat(check("upstream app { server 127.0.0.1:1; }\nupstream api { server 127.0.0.1:2; }\n" + server("")))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "location ~ ^/a { proxy_pass http://127.0.0.1:81/; }",
            "location ~* ^/a { proxy_pass https://127.0.0.1:81/x; }",
            "location @a { proxy_pass http://127.0.0.1:81/x; }",
            "location / { if ($args) { proxy_pass http://127.0.0.1:81/; } }",
            "location / { limit_except GET { proxy_pass http://127.0.0.1:81/; } }",
            "location ~ ^/s { proxy_pass http://unix:/run/s.sock:/x; }",
            "location ~ ^/q { proxy_pass http://127.0.0.1:81?x=1; }"})
    void aUriPartWhereNginxCannotReplaceTheMatchedPartIsRefused(String location) throws IOException {
        assertThat(check(server("    " + location + "\n"))).containsExactly("E 3: \"proxy_pass\" cannot have URI part in"
                + " location given by regular expression, or inside named location, or inside \"if\" statement, or"
                + " inside \"limit_except\" block");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "location ~ ^/a { proxy_pass http://127.0.0.1:81; }",
            "location ~ ^/(.*)$ { proxy_pass http://127.0.0.1:81/$1; }",
            "location @a { proxy_pass http://127.0.0.1:81; }",
            "location /p/ { proxy_pass http://127.0.0.1:81/x/; }",
            "location ~ ^/s { proxy_pass http://unix:/run/s.sock; }"})
    void aUriPartWhereNginxCanUseItOrVariablesAreAccepted(String location) throws IOException {
        assertThat(check(server("    " + location + "\n"))).isEmpty();
    }

    // ---- variables -------------------------------------------------------------------------------------------

    @Test
    void aVariableNothingDefinesIsUnknown() throws IOException {
        assertThat(check(server("    location / { add_header X-T $request_trace; return 200 \"$0\"; }\n")))
                .containsExactly("E 3: unknown \"request_trace\" variable", "E 3: unknown \"0\" variable");
    }

    @Test
    void variablesComeFromModulesPrefixesDirectivesAndNamedCaptures() throws IOException {
        assertThat(check("""
                map $http_upgrade $upgrade { default upgrade; '' close; }
                map $uri $area { ~^/(?<section>[a-z]+)/ $section; default none; }
                geo $office { default 0; 10.0.0.0/8 1; }
                geo $remote_addr $lan { default 0; }
                split_clients "$remote_addr" $bucket { 50% a; * b; }
                log_format t '$remote_addr $request_time $upstream_response_time $SENT_HTTP_X';
                server {
                    listen 80;
                    server_name ~^(?<sub>.+)\\.example\\.com$;
                    set $Tenant t;
                    location ~ ^/u/(?<user>\\w+) {
                        auth_request /auth;
                        auth_request_set $who $upstream_http_x_user;
                        if ($uri ~ "^/u/(?<tab>\\w+)") { return 200 "$tab"; }
                        rewrite "^/r/(?<rid>\\d+)$" /x;
                        return 200 "$user $sub $tenant $who $rid $upgrade $area $office $lan $bucket $1 ${arg_x}";
                    }
                    location = /auth { internal; return 204 $cookie_s$http_x_y$upstream_cookie_z; }
                }
                """)).isEmpty();
    }

    @Test
    void aDollarWithoutANameIsAnInvalidVariableName() throws IOException {
        assertThat(check(server("    return 200 \"costs 5$\";\n"))).containsExactly(
                "E 3: invalid variable name (a \"$\" without a name after it in \"costs 5$\")");
        assertThat(check(server("    return 200 \"costs $5\";\n"))).isEmpty();
    }

    @Test
    void streamVariablesAreNotHttpVariables() throws IOException {
        assertThat(check(server("    return 200 $ssl_preread_server_name;\n"))).containsExactly(
                "E 3: unknown \"ssl_preread_server_name\" variable");
    }

    @Test
    void aVariableOfALaterNginxIsUnknownOnAnEarlierOne() throws IOException {
        String conf = server("    return 200 $proxy_protocol_tlv_alpn;\n");
        assertThat(check(conf, NginxRules.Options.version("1.22.1"))).containsExactly(
                "E 3: unknown \"proxy_protocol_tlv_alpn\" variable");
        assertThat(check(conf, NginxRules.Options.version("1.26.3"))).isEmpty();
    }

    @Test
    void withThirdPartyModulesAnUnknownVariableIsAWarning() throws IOException {
        assertThat(check(server("    return 200 $geoip2_country;\n"),
                new NginxRules.Options(Optional.empty(), Set.of("geoip2")))).containsExactly(
                "W 3: unknown \"geoip2_country\" variable (no module of nginx's own defines it; a loaded module may)");
    }

    @Test
    void argumentsThatAreNoScriptsAreNotRead() throws IOException {
        assertThat(check(server("    ssl_ciphers 'HIGH:!aNULL';\n    location ~ ^/a$ { return 204; }\n"
                + "    if ($uri ~ ^/b$) { return 204; }\n"))).isEmpty();
    }

    @Test
    void referencesAreReadAsNginxsScriptCompilerReadsThem() {
        assertThat(ValueRules.references("$a${b}c$1$_d-$e.f$"))
                .containsExactly("a", "b", "_d", "e", "");
        assertThat(ValueRules.references("no variables")).isEmpty();
    }

    // ---- zones -----------------------------------------------------------------------------------------------

    @Test
    void aZoneUsedButNeverDefinedIsRefused() throws IOException {
        assertThat(check(server("""
                    location / {
                        limit_req zone=login burst=5;
                        limit_conn perip 10;
                        proxy_cache pages;
                        proxy_pass http://127.0.0.1:81;
                    }
                """))).containsExactly(
                "E 4: zero size shared memory zone \"login\" (no limit_req_zone defines it)",
                "E 5: zero size shared memory zone \"perip\" (no limit_conn_zone defines it)",
                "E 6: \"proxy_cache\" zone \"pages\" is unknown (no proxy_cache_path keys_zone defines it; nginx"
                        + " reports it at /etc/nginx/nginx.conf, where the image's http block ends after including"
                        + " conf.d)");
    }

    @Test
    void twoCachesMayShareNeitherAZoneNameNorADirectory() throws IOException {
        assertThat(check("""
                proxy_cache_path /tmp/a keys_zone=pages:10m;
                fastcgi_cache_path /tmp/b/ keys_zone=pages:10m;
                proxy_cache_path /tmp/a/ keys_zone=other:10m;
                proxy_cache_path /tmp/c keys_zone=third:10m;
                """)).satisfiesExactly(
                        e -> assertThat(e).startsWith("E 2: duplicate zone \"pages\" (the first is at "),
                        e -> assertThat(e).startsWith("E 3: the same path name \"/tmp/a\" used in ").contains("site.conf:1"));
    }

    @Test
    void aZoneDefinedAnywhereOrACacheByVariableIsAccepted() throws IOException {
        assertThat(check("""
                limit_req_zone $binary_remote_addr zone=login:10m rate=1r/s;
                limit_conn_zone $binary_remote_addr zone=perip:10m;
                proxy_cache_path /tmp/c keys_zone=pages:10m;
                """ + server("""
                    location / {
                        limit_req zone=login burst=5;
                        limit_conn perip 10;
                        proxy_cache pages;
                        proxy_pass http://127.0.0.1:81;
                    }
                    location /v { proxy_cache $host; proxy_pass http://127.0.0.1:81; }
                    location /o { proxy_cache off; proxy_pass http://127.0.0.1:81; }
                """))).isEmpty();
    }

    @Test
    void limitingOneZoneTwiceInABlockIsDuplicate() throws IOException {
        String zones = "limit_req_zone $binary_remote_addr zone=a:1m rate=1r/s;\n"
                + "limit_req_zone $server_name zone=b:1m rate=1r/s;\n";
        assertThat(check(zones + server("    limit_req zone=a;\n    limit_req zone=a burst=2;\n"))).containsExactly(
                "E 6: \"limit_req\" directive is duplicate (zone \"a\" is limited at line 5 already)");
        assertThat(check(zones + server("    limit_req zone=a;\n    limit_req zone=b;\n"
                + "    location / { limit_req zone=a; }\n"))).isEmpty();
    }
}
