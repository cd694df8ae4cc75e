package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.LocationResolver.Kind;
import dev.proxystage.internal.nginx.LocationResolver.Resolution;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the corpus cannot show through status codes: the pass's targets, the steps, and "unknown" over a guess. */
class LocationResolverTest {

    @TempDir
    Path dir;

    private NginxConfig config(String server) throws IOException {
        return ConfFixtures.parse(dir, server);
    }

    private static Resolution resolve(NginxConfig config, String target) {
        return new LocationResolver(config).resolve(config.servers().get(0), target);
    }

    @Test
    void aPassNamesItsUpstreamHostAndPort() throws IOException {
        NginxConfig config = config("""
                upstream php { server php-fpm:9000; }
                server {
                    listen 80;
                    server_name app.example.com;
                    location / { try_files $uri $uri/ /index.php?$args; }
                    location ~ \\.php$ { fastcgi_pass php; }
                }
                """);

        Resolution r = resolve(config, "/login");

        assertThat(r.answer().kind()).isEqualTo(Kind.PASS);
        assertThat(r.answer().targets()).singleElement().satisfies(t -> {
            assertThat(t.host()).isEqualTo("php-fpm");
            assertThat(t.port()).isEqualTo(9000);
        });
        assertThat(r.locations()).extracting(LocationResolver::describe).containsExactly("/", "~ \\.php$");
        assertThat(r.filesAssumed()).isTrue();
        assertThat(r.status()).isEmpty();
    }

    @Test
    void anIfThatHoldsTakesTheLocationsTryFilesAwayButNotItsPass() throws IOException {
        // peertube's /static/webseed/: for a GET, the if's block is the configuration, without try_files: files.
        NginxConfig config = config("""
                server {
                    listen 80;
                    root /var/www/storage;
                    location /static/ {
                        if ($request_method = 'GET') { add_header Access-Control-Allow-Origin '*'; }
                        try_files $uri @api;
                    }
                    location /api/ {
                        if ($request_method = 'GET') { add_header Access-Control-Allow-Origin '*'; }
                        try_files $uri @api;
                        proxy_pass http://app:8080;
                    }
                    location /other/ {
                        if ($request_method = 'POST') { add_header Access-Control-Allow-Origin '*'; }
                        try_files $uri @api;
                    }
                    location @api { proxy_pass http://app:8080; }
                }
                """);

        assertThat(resolve(config, "/static/x").answer().kind()).isEqualTo(Kind.STATIC);
        assertThat(resolve(config, "/api/x").answer().kind()).isEqualTo(Kind.PASS);
        assertThat(resolve(config, "/api/x").locations()).extracting(LocationResolver::describe).containsExactly("/api/");
        assertThat(resolve(config, "/other/x").locations()).extracting(LocationResolver::describe)
                .containsExactly("/other/", "@api");
    }

    @Test
    void limitExceptDeniesTheMethodsItDoesNotName() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    location = /upload {
                        limit_except POST HEAD { deny all; }
                        proxy_pass http://app:9000;
                    }
                }
                """);
        LocationResolver resolver = new LocationResolver(config);
        LocationResolver.Request get = LocationResolver.Request.get("a.test", "/upload");

        assertThat(resolver.resolve(config.servers().get(0), get).answer().kind()).isEqualTo(Kind.DENIED);
        for (String method : List.of("HEAD", "POST")) {
            LocationResolver.Request other = new LocationResolver.Request(method, "http", "a.test", 80, "/upload",
                    get.headers(), get.opaque());
            assertThat(resolver.resolve(config.servers().get(0), other).answer().kind()).as(method).isEqualTo(Kind.PASS);
        }
    }

    @Test
    void aFileThatExistsLetsTryFilesOnToThePass() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    root /var/www/html;
                    location / { try_files $uri $uri/ /index.php?$args; }
                    location ~ \\.php(?:$|/) {
                        fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
                        try_files $fastcgi_script_name =404;
                        fastcgi_pass app:9000;
                    }
                }
                """);
        LocationResolver resolver = new LocationResolver(config);
        LocationResolver.Request request = LocationResolver.Request.get("a.test", "/index.php/apps/files");

        Resolution none = resolver.resolve(config.servers().get(0), request);
        assertThat(none.answer().kind()).isEqualTo(Kind.FILES_GATE);
        // $fastcgi_script_name is what fastcgi_split_path_info's first group takes.
        assertThat(none.filesTested()).containsExactly("/var/www/html/index.php");
        Resolution placed = resolver.resolve(config.servers().get(0), request, Set.of("/var/www/html/index.php"));
        assertThat(placed.answer().kind()).isEqualTo(Kind.PASS);
        assertThat(resolver.resolve(config.servers().get(0), LocationResolver.Request.get("a.test", "/route"),
                Set.of("/var/www/html/index.php")).answer().kind()).isEqualTo(Kind.PASS);
    }

    @Test
    void aRegexJavaReadsOtherwiseIsUnknownNotAGuess() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    location ~ ^/(a(?R)?b)$ { return 201; }
                    location / { proxy_pass http://app:8080; }
                }
                """);

        Resolution r = resolve(config, "/ab");

        assertThat(r.answer().kind()).isEqualTo(Kind.UNKNOWN);
        assertThat(r.answer().detail()).contains("~ ^/(a(?R)?b)$");
        assertThat(r.status()).isEmpty();
    }

    @Test
    void anIfOnWhatTheRequestDoesNotDecideIsUnknownOnlyWhenItCouldChangeTheAnswer() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    location /a/ {
                        if ($remote_addr = 10.0.0.1) { return 403; }
                        proxy_pass http://app:8080;
                    }
                    location /b/ {
                        if ($remote_addr = 10.0.0.1) { set $x 1; }
                        proxy_pass http://app:8080;
                    }
                }
                """);

        assertThat(resolve(config, "/a/").answer().kind()).isEqualTo(Kind.UNKNOWN);
        assertThat(resolve(config, "/b/").answer().kind()).isEqualTo(Kind.PASS);
    }

    @Test
    void aDenyThatTheAddressDecidesIsNamedAndTheAnswerBehindItGiven() throws IOException {
        NginxConfig config = config("""
                server {
                    listen 80;
                    location / {
                        allow 10.0.0.0/8;
                        deny all;
                        proxy_pass http://app:8080;
                    }
                }
                """);

        Resolution r = resolve(config, "/");

        assertThat(r.answer().kind()).isEqualTo(Kind.PASS);
        assertThat(r.restrictedBy()).hasValueSatisfying(d -> assertThat(d.args()).containsExactly("all"));
    }

    @Test
    void theRequestUriIsDecodedAndNormalizedAsNginxDoes() {
        assertThat(LocationResolver.normalize("/a//b/./c/../d")).contains("/a/b/d");
        assertThat(LocationResolver.normalize("/%41%2e")).contains("/A.");
        assertThat(LocationResolver.normalize("/a/..")).contains("/");
        assertThat(LocationResolver.normalize("/..")).isEmpty();
        assertThat(LocationResolver.normalize("/%zz")).isEmpty();
        assertThat(LocationResolver.normalize("x")).isEmpty();
    }
}
