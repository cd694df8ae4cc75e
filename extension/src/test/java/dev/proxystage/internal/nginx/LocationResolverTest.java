package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.LocationResolver.Kind;
import dev.proxystage.internal.nginx.LocationResolver.Resolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the corpus cannot show through status codes: the pass's targets, the steps, and "unknown" over a guess. */
class LocationResolverTest {

    @TempDir
    Path dir;

    private NginxConfig config(String server) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("site.conf"), server);
        return NginxConfig.parse(confD);
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
