package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** nginx's own rules over small trees: what nginx rejects is an error, what it warns about a warning, and no more. */
class NginxRulesTest {

    @TempDir
    Path dir;

    private Path write(String file, String text) throws IOException {
        Path path = dir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
        return path;
    }

    private List<String> rules(String conf) throws IOException {
        write("conf.d/site.conf", conf);
        return lines(NginxConfig.parse(dir.resolve("conf.d")));
    }

    private static List<String> lines(NginxConfig config) {
        return NginxRules.check(config).stream()
                .map(p -> (p.isError() ? "E " : "W ") + p.file().getFileName() + ":" + p.line() + ": " + p.message())
                .toList();
    }

    // ---- hash buckets -----------------------------------------------------------------------------------------

    @Test
    void aNameTooLongForItsHashBucketNamesTheBucketSizeThatHoldsIt() throws IOException {
        String name = "x".repeat(108) + ".example.com"; // 120 bytes: 8 + 128 + 8 = 144, so 192 in cache lines
        assertThat(rules("""
                server { listen 80; server_name a.example.com; }
                server { listen 80; server_name %s; }
                server { listen 81; server_name %s; }
                map $uri $moved { default ""; /%s /new; }
                map_hash_max_size 4096;
                """.formatted(name, name, "p".repeat(46)))).containsExactly(
                "E site.conf:2: could not build server_names_hash, you should increase server_names_hash_bucket_size: 64"
                        + " (\"" + name + "\" of the server name \"" + name + "\" has 120 bytes; set"
                        + " \"server_names_hash_bucket_size 192;\" in http)",
                "E site.conf:4: could not build map_hash, you should increase map_hash_bucket_size: 64 (\"/" + "p".repeat(46)
                        + "\" of the key \"/" + "p".repeat(46) + "\" has 47 bytes; set \"map_hash_bucket_size 128;\" in http,"
                        + " before the first map)",
                "E site.conf:5: \"map_hash_max_size\" directive is duplicate (the map at " + dir.resolve("conf.d/site.conf")
                        + ":4 settled it; put it before the first map)");
    }

    // ---- contexts ---------------------------------------------------------------------------------------------

    @Test
    void listenAndProxyPassAtHttpLevelAreNotAllowed() throws IOException {
        assertThat(rules("""
                listen 80;
                proxy_pass http://app:80;
                server { listen 81; location / { proxy_pass http://app:80; } }
                """)).containsExactly(
                "E site.conf:1: \"listen\" directive is not allowed here (in http; nginx allows it in server)",
                "E site.conf:2: \"proxy_pass\" directive is not allowed here (in http; nginx allows it in location,"
                        + " if in location, limit_except)");
    }

    @Test
    void proxyPassAtServerLevelAndServerNameInLocationAreNotAllowed() throws IOException {
        assertThat(rules("""
                server {
                    listen 80;
                    proxy_pass http://app:80;
                    location / {
                        server_name x.example.com;
                        return 204;
                    }
                }
                """)).containsExactly(
                "E site.conf:3: \"proxy_pass\" directive is not allowed here (in server; nginx allows it in location,"
                        + " if in location, limit_except)",
                "E site.conf:5: \"server_name\" directive is not allowed here (in location; nginx allows it in"
                        + " server)");
    }

    @Test
    void whatIfAndLimitExceptAllowIsNotJudgedAsAnError() throws IOException {
        assertThat(rules("""
                server {
                    listen 80;
                    if ($host = old.example.com) { return 301 https://new.example.com$request_uri; }
                    location / {
                        if ($request_method = POST) { add_header X-Post 1; proxy_pass http://app:80; }
                        limit_except GET { deny all; proxy_pass http://app:80; }
                        proxy_pass http://app:80;
                    }
                }
                """)).isEmpty();
    }

    @Test
    void aLocationInsideIfAndAnAddHeaderInAServerIfAreNotAllowed() throws IOException {
        assertThat(rules("""
                server {
                    listen 80;
                    if ($host = a) { add_header X-A 1; }
                    location / {
                        if ($host = b) { location /x { return 204; } }
                    }
                }
                """)).containsExactly(
                "E site.conf:3: \"add_header\" directive is not allowed here (in if in server; nginx allows it in"
                        + " http, server, location, if in location)",
                "E site.conf:5: \"location\" directive is not allowed here (in if in location; nginx allows it in"
                        + " server, location)");
    }

    @Test
    void theContextFollowsWhereTheMainConfigIncludesConfD() throws IOException {
        // conf.d included inside a server of the main nginx.conf: a location there is right, a server is not.
        Path main = write("nginx.conf", """
                events {}
                http {
                    server {
                        listen 80;
                        include /etc/nginx/conf.d/*.conf;
                    }
                }
                """);
        write("conf.d/a.conf", "location / { return 204; }\n");
        write("conf.d/b.conf", "server { listen 81; }\n");

        NginxConfig config = NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(main));

        assertThat(lines(config)).containsExactly(
                "E b.conf:1: \"server\" directive is not allowed here (in server; nginx allows it in http, upstream)");
    }

    @Test
    void anEventsOrHttpBlockInConfDIsNotAllowed() throws IOException {
        assertThat(rules("""
                events { worker_connections 512; }
                http { }
                """)).containsExactly(
                "E site.conf:1: \"events\" directive is not allowed here (in http; nginx allows it in main)",
                "E site.conf:2: \"http\" directive is not allowed here (in http; nginx allows it in main)");
    }

    @Test
    void streamAndUpstreamBlocksFollowTheirOwnRules() throws IOException {
        write("nginx.conf", """
                events {}
                stream {
                    upstream db { server db:5432; }
                    server { listen 5432; proxy_pass db; }
                }
                http {
                    upstream app { server app:80; keepalive 8; }
                    server { listen 80; location / { proxy_pass http://app; } }
                }
                """);
        write("conf.d/unused.conf", "");
        NginxConfig config = NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d"))
                .withMainConf(dir.resolve("nginx.conf")));

        assertThat(lines(config)).isEmpty();
    }

    // ---- default servers and names ----------------------------------------------------------------------------

    @Test
    void aSecondDefaultServerOnOneAddressIsAnErrorAndOnAnotherAddressIsNot() throws IOException {
        assertThat(rules("""
                server { listen 80 default_server; listen [::]:80 default_server; return 444; }
                server { listen 127.0.0.1:80 default_server; return 444; }
                server {
                    listen 80 default_server;
                    return 444;
                }
                """)).containsExactly(
                "E site.conf:4: a duplicate default server for 0.0.0.0:80 (the first is at " + dir.resolve(
                        "conf.d/site.conf") + ":1); nginx refuses to start");
    }

    @Test
    void aNameClaimedTwiceOnOnePortWarnsCaseInsensitivelyAndOnlyThere() throws IOException {
        assertThat(rules("""
                server { listen 80; server_name app.example.com ~^www\\.(.+)$; return 204; }
                server { listen 81; server_name app.example.com; return 204; }
                server {
                    listen 80;
                    server_name App.Example.com ~^www\\.(.+)$;
                    return 204;
                }
                """)).containsExactly(
                "W site.conf:5: conflicting server name \"App.Example.com\" on 0.0.0.0:80, ignored: the server at "
                        + dir.resolve("conf.d/site.conf") + ":1 claims it first, so nginx never routes it here");
    }

    @Test
    void theDefaultServerRuleIsTheMarkedOneElseTheFirst() throws IOException {
        write("conf.d/site.conf", """
                server { listen 80; server_name a; }
                server { listen 80 default_server; server_name b; }
                server { listen 81; server_name c; }
                """);
        NginxConfig config = NginxConfig.parse(dir.resolve("conf.d"));

        assertThat(DefaultServers.of(config.servers(), 80)).map(s -> s.serverNames().get(0)).contains("b");
        assertThat(DefaultServers.of(config.servers(), 81)).map(s -> s.serverNames().get(0)).contains("c");
        assertThat(DefaultServers.of(config.servers(), 82)).isEmpty();
    }

    // ---- headers ----------------------------------------------------------------------------------------------

    @Test
    void aHeaderSetTwiceThroughAnIncludeNamesBothPlacesAndTheLocation() throws IOException {
        Path snippet = write("conf.d/snippets/proxy.conf", "proxy_set_header X-Real-IP $remote_addr;\n"
                + "proxy_set_header Host $host;\n");
        assertThat(rules("""
                server {
                    listen 80;
                    server_name app.example.com;
                    location /api {
                        include conf.d/snippets/proxy.conf;
                        proxy_set_header host $http_host;
                        proxy_pass http://app:80;
                    }
                }
                """)).containsExactly("W site.conf:6: host is set twice for location /api of server"
                + " app.example.com: here and at " + snippet + ":2 (the backend receives two host headers)");
    }

    @Test
    void aLevelWithItsOwnHeadersReplacesTheInheritedOnesSoNothingIsTwice() throws IOException {
        assertThat(rules("""
                proxy_set_header Host $host;
                add_header X-Frame-Options DENY;
                server {
                    listen 80;
                    proxy_set_header Host $proxy_host;
                    location / {
                        proxy_set_header Host $http_host;
                        add_header X-Frame-Options SAMEORIGIN;
                        add_header Set-Cookie a=1;
                        add_header Set-Cookie b=2;
                        proxy_set_header Accept-Encoding "";
                        proxy_set_header Accept-Encoding gzip;
                        proxy_pass http://app:80;
                    }
                }
                """)).isEmpty();
    }

    @Test
    void aHeaderSetTwiceAtHttpLevelIsReportedOnceForTheFirstLocationThatInheritsIt() throws IOException {
        assertThat(rules("""
                add_header X-Frame-Options DENY;
                add_header X-Frame-Options SAMEORIGIN;
                server {
                    listen 80;
                    server_name a.example.com;
                    location / { return 204; }
                    location /b { return 204; }
                }
                """)).containsExactly("W site.conf:2: X-Frame-Options is set twice for location / of server"
                + " a.example.com: here and at " + dir.resolve("conf.d/site.conf") + ":1 (the client receives two"
                + " X-Frame-Options headers)");
    }

    // ---- values -----------------------------------------------------------------------------------------------

    @Test
    void anUnclosedVariableBraceIsAnErrorAndAClosedOneIsNot() throws IOException {
        assertThat(rules("""
                server {
                    listen 80;
                    location / {
                        add_header X-Host "${host}-ok";
                        return 200 "${host";
                    }
                }
                """)).containsExactly("E site.conf:5: the closing bracket in \"host\" variable is missing"
                + " (in \"${host\" of the \"return\" directive)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[::]:80", "[::1]:8080", "[2001:db8::1]", "[fe80::1:2:3:4:5]:80",
            "[::ffff:192.0.2.1]:80", "[1:2:3:4:5:6:7:8]:80", "127.0.0.1:80", "*:80", "localhost:80", "80"})
    void wellFormedListenAddressesAreAccepted(String address) throws IOException {
        assertThat(rules("server { listen " + address + "; return 204; }\n")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[::g]:80", "[1:2:3:4:5:6:7:8:9]:80", "[1::2::3]:80", "[::ffff:300.0.0.1]:80",
            "[12345::1]:80"})
    void malformedIpv6ListenAddressesAreErrors(String address) throws IOException {
        assertThatThrownBy(() -> rules("server {\n    listen " + address + ";\n}\n"))
                .isInstanceOf(NginxConfigException.class)
                .hasMessage(dir.resolve("conf.d/site.conf") + ":2: invalid IPv6 address in \"" + address
                        + "\" of the \"listen\" directive");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "300.1.1.1:80", "1.2.3:80", "app.example.com:443"})
    void listenAddressesThatAreNoIpAreErrors(String address) throws IOException {
        assertThatThrownBy(() -> rules("server {\n    listen " + address + " ssl;\n}\n"))
                .isInstanceOf(NginxConfigException.class)
                .hasMessage(dir.resolve("conf.d/site.conf") + ":2: host not found in \"" + address + "\" of the"
                        + " \"listen\" directive (listen takes an IP address, \"*\" or a port)");
    }
}
