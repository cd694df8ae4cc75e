package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.proxystage.internal.nginx.LocationResolver.Kind;
import dev.proxystage.internal.nginx.LocationResolver.Request;
import dev.proxystage.internal.nginx.LocationResolver.Resolution;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a pass whose address has variables goes for one request: {@code set} as the rewrite phase leaves it, and
 * {@code map} as ngx_http_map_find evaluates it (exact keys without case, then regexes in order, never for an empty
 * value, then the default). When the request does not decide the value, every target stays, with the reason. The
 * resolver corpus (18-vars.conf) checks the same shapes against the real nginx.
 */
class PassVariablesTest {

    @TempDir
    Path dir;

    private NginxConfig config(String text) throws IOException {
        return ConfFixtures.parse(dir, text);
    }

    /** GET (or {@code method}) {@code target} with a Host header and {@code headers}; {@code opaque} ones unknown. */
    private static Resolution resolve(NginxConfig config, String method, String target, Map<String, String> headers,
                                      Set<String> opaque) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("host", "app.test");
        return new LocationResolver(config).resolve(config.servers().get(0),
                new Request(method, "http", "app.test", 80, target, all, opaque));
    }

    private static Resolution get(NginxConfig config, String target) {
        return resolve(config, "GET", target, Map.of(), Set.of());
    }

    private static String reached(Resolution r) {
        assertThat(r.answer().kind()).as(r.steps().toString()).isEqualTo(Kind.PASS);
        return String.join(",", r.answer().targets().stream().map(t -> t.host() + ":" + t.port()).toList());
    }

    /** One map on method and Accept, its values upstream URLs; a lookahead regex for "not GET or HEAD". */
    private static final String ACCEPT_AND_METHOD = """
            map "$request_method:$http_accept" $proxpass {
                default "http://ui:1234";
                "~^(?:GET|HEAD):.*?application\\/(?:activity|ld)\\+json" "http://api:8536";
                ~^(?!(GET|HEAD)).*: "http://api:8536";
            }
            server {
                listen 80;
                server_name app.test;
                location / {
                    proxy_pass $proxpass;
                }
            }
            """;

    @Test
    void aPlainGetTakesTheMapsDefaultAndOtherRequestsTheirEntry() throws IOException {
        NginxConfig config = config(ACCEPT_AND_METHOD);

        Resolution plain = get(config, "/");

        assertThat(reached(plain)).isEqualTo("ui:1234");
        assertThat(plain.passUndecided()).isEmpty();
        assertThat(reached(resolve(config, "GET", "/", Map.of("accept", "application/activity+json"), Set.of())))
                .isEqualTo("api:8536");
        assertThat(reached(resolve(config, "POST", "/", Map.of(), Set.of()))).isEqualTo("api:8536");
        assertThat(reached(resolve(config, "HEAD", "/", Map.of("accept", "text/html"), Set.of()))).isEqualTo("ui:1234");
    }

    @Test
    void aHeaderTheRequestDoesNotFixLeavesEveryTargetWithTheMapAndVariableNamed() throws IOException {
        NginxConfig config = config(ACCEPT_AND_METHOD);

        Resolution r = resolve(config, "GET", "/", Map.of(), Set.of("accept"));

        assertThat(reached(r)).isEqualTo("ui:1234,api:8536");
        assertThat(r.passUndecided()).hasValue("the map at " + dir.resolve("conf.d/site.conf") + ":1 for $proxpass"
                + " reads \"$request_method:$http_accept\", and $http_accept is not known for this request");
    }

    @Test
    void chainedMapsWithUpstreamNamesReachTheUpstreamsServers() throws IOException {
        NginxConfig config = config("""
                upstream api { server api:8536; }
                upstream ui { server ui:1234; }
                map $http_accept $by_accept {
                    default "http://ui";
                    "application/activity+json" "http://api";
                }
                map $request_method $proxpass {
                    default $by_accept;
                    POST "http://api";
                }
                server {
                    listen 80;
                    location / { proxy_pass $proxpass; }
                }
                """);

        assertThat(reached(get(config, "/"))).isEqualTo("ui:1234");
        // Exact keys compare without case, as nginx lower-cases both.
        assertThat(reached(resolve(config, "GET", "/", Map.of("accept", "Application/Activity+JSON"), Set.of())))
                .isEqualTo("api:8536");
        assertThat(reached(resolve(config, "POST", "/", Map.of(), Set.of()))).isEqualTo("api:8536");
    }

    @Test
    void anEmptySourceValueTriesNoRegexAndAnEmptyKeyMatchesIt() throws IOException {
        NginxConfig config = config("""
                map $http_upgrade $by_upgrade {
                    default ws:8080;
                    '' app:3000;
                }
                map $http_x_mode $by_regex {
                    ~^$ one:1;
                    default two:2;
                }
                server {
                    listen 80;
                    location /up/ { proxy_pass http://$by_upgrade; }
                    location /rx/ { proxy_pass http://$by_regex; }
                }
                """);

        assertThat(reached(get(config, "/up/"))).isEqualTo("app:3000");
        assertThat(reached(resolve(config, "GET", "/up/", Map.of("upgrade", "websocket"), Set.of())))
                .isEqualTo("ws:8080");
        assertThat(reached(get(config, "/rx/"))).isEqualTo("two:2");
    }

    @Test
    void aRegexEntrysCapturesFillItsValue() throws IOException {
        NginxConfig config = config("""
                map $uri $by_path {
                    ~^/svc/(?<name>[a-z]+)/ http://$name:8080;
                    default http://web:80;
                }
                server {
                    listen 80;
                    location / { proxy_pass $by_path; }
                }
                """);

        assertThat(reached(get(config, "/svc/"))).isEqualTo("web:80");
        // "$name" has no value in the configuration alone: the parser's targets hold it unresolved, and the request's
        // value ("billing") is none of them, so every target stays and the reason says so.
        Resolution r = get(config, "/svc/billing/x");
        assertThat(r.passUndecided()).hasValueSatisfying(why -> assertThat(why).contains("becomes \"http://billing:8080\""));
    }

    @Test
    void setInTheLocationOrTheServerDecidesThePass() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    set $backend_host files;
                    location / {
                        set $upstream http://app:8080;
                        proxy_pass $upstream;
                    }
                    location /files/ {
                        proxy_pass http://$backend_host:9000;
                    }
                    location /later/ {
                        set $target one;
                        set $target two;
                        proxy_pass http://$target:80;
                    }
                }
                """);

        assertThat(reached(get(config, "/"))).isEqualTo("app:8080");
        assertThat(reached(get(config, "/files/x"))).isEqualTo("files:9000");
        assertThat(reached(get(config, "/later/"))).isEqualTo("two:80");
    }

    @Test
    void aSetInsideAnIfTheRequestDoesNotDecideLeavesThePassUndecided() throws IOException {
        NginxConfig config = config("""
                map $http_user_agent $is_bot {
                    default 0;
                    ~*bot 1;
                }
                server {
                    listen 80;
                    location / {
                        set $pool web;
                        if ($http_user_agent ~* bot) { set $pool bots; }
                        proxy_pass http://$pool:80;
                    }
                    location /m/ {
                        proxy_pass http://web$is_bot:80;
                    }
                }
                """);

        Resolution r = resolve(config, "GET", "/", Map.of(), Set.of("user-agent"));
        assertThat(r.passUndecided()).hasValue("$pool in \"http://$pool:80\" at " + dir.resolve("conf.d/site.conf")
                + ":10 is not known for this request");
        // Without a User-Agent (nothing opaque), the if does not hold and the map gives its default.
        assertThat(reached(get(config, "/"))).isEqualTo("web:80");
        assertThat(reached(get(config, "/m/"))).isEqualTo("web0:80");
    }

    @Test
    void everyTargetAPassMayTakeIncludesTheSetsInsideIfBlocksThatComeAfterTheLastPlainSet() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    set $app web;
                    if ($http_x_canary) { set $app canary; }
                    location / {
                        if ($http_upgrade = websocket) { set $app ws; }
                        proxy_pass http://$app:80;
                    }
                    location /fixed/ {
                        if ($arg_a) { set $app early; }
                        set $app late;
                        proxy_pass http://$app:80;
                    }
                    location /only-if/ {
                        if ($arg_b) { set $only b; }
                        proxy_pass http://$only:80;
                    }
                }
                """);

        Map<Integer, List<String>> byLine = new TreeMap<>();
        config.proxyTargets().forEach(t -> byLine.computeIfAbsent(t.directive().line(), k -> new ArrayList<>())
                .add(t.host() + " from line " + t.hostDefinedBy().line()));
        byLine.values().forEach(hosts -> hosts.sort(null));

        // The rewrite phase runs the server's sets, then the location's: any if may hold, a plain set overwrites.
        assertThat(byLine).containsExactly(
                entry(7, List.of("canary from line 4", "web from line 3", "ws from line 6")),
                entry(12, List.of("late from line 11")),
                entry(16, List.of("b from line 15")));
        // Without a canary or an upgrade header the request decides: the plain set.
        assertThat(reached(get(config, "/"))).isEqualTo("web:80");
    }

    @Test
    void aMapRegexJavaCannotReadLeavesThePassUndecided() throws IOException {
        NginxConfig config = config("""
                map $uri $by_path {
                    "~^/(a(?R)?b)$" http://ab:80;
                    default http://web:80;
                }
                server {
                    listen 80;
                    location / { proxy_pass $by_path; }
                }
                """);

        Resolution r = get(config, "/x");

        assertThat(reached(r)).isEqualTo("ab:80,web:80");
        assertThat(r.passUndecided()).hasValueSatisfying(why -> assertThat(why)
                .contains("the regex \"~^/(a(?R)?b)$\"").contains("uses PCRE syntax ProxyStage does not read"));
    }

    @Test
    void aMapIsEvaluatedOncePerRequestUnlessVolatile() throws IOException {
        // The server's "set" reads both maps for "/first"; the rewrite then changes $uri, and the pass reads them
        // again: nginx keeps the first value of the plain map, and evaluates the volatile one anew.
        NginxConfig config = config("""
                map $uri $kept {
                    /first a;
                    default b;
                }
                map $uri $fresh {
                    volatile;
                    /first a;
                    default b;
                }
                server {
                    listen 80;
                    set $seen $kept$fresh;
                    rewrite ^/first$ /second;
                    location /second { proxy_pass http://$kept$fresh:80; }
                }
                """);

        assertThat(reached(get(config, "/first"))).isEqualTo("ab:80");
    }
}
