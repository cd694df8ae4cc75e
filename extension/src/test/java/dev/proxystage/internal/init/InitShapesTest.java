package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init on shapes real projects have, which nginx accepts: it writes their backends instead of stopping. */
class InitShapesTest {

    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private ProjectInit.Plan plan(Optional<Path> main) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        return ProjectInit.plan(new ProjectInit.Request(dir.resolve("conf.d"), main, Map.of(), dir.resolve("out")));
    }

    @Test
    void everyServerInTheMainConfigAndNoConfDFile() throws IOException {
        Path main = write("nginx.conf", """
                events {}
                http {
                    include /etc/nginx/conf.d/*.conf;
                    server {
                        listen 80;
                        server_name app.example.com;
                        location / { proxy_pass http://app:8080; }
                    }
                }
                """);

        ProjectInit.Plan plan = plan(Optional.of(main));

        assertThat(plan.backends()).containsExactly("app");
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void aDottedComposeAliasIsABackendAndAPublicNameIsNot() throws IOException {
        write("conf.d/meet.conf", """
                server {
                    listen 80;
                    server_name meet.example.com;
                    location /http-bind { proxy_pass http://xmpp.meet.jitsi:5280/http-bind; }
                    location /api { proxy_pass https://api.example.org; }
                }
                """);

        ProjectInit.Plan plan = plan(Optional.empty());

        assertThat(plan.backends()).containsExactly("xmpp.meet.jitsi");
        assertThat(plan.content(ProjectInit.PIPELINE)).contains("  xmpp.meet.jitsi:\n", "    alias: xmpp.meet.jitsi\n",
                "    port: 5280\n");
        assertThat(plan.notes()).extracting(ProjectInit.Note::message).singleElement().asString()
                .startsWith("upstream host 'api.example.org' is outside the stage");
    }

    @Test
    void publicNamesAreThoseUnderAPublicTopLevelDomain() {
        assertThat(Discovery.isPublic("api.github.com")).isTrue();
        assertThat(Discovery.isPublic("example.co.uk")).isTrue();
        assertThat(Discovery.isPublic("xmpp.meet.jitsi")).isFalse();
        assertThat(Discovery.isPublic("db.internal")).isFalse();
        assertThat(Discovery.isPublic("app.example")).isFalse();
        assertThat(Discovery.isPublic("app")).isFalse();
    }

    @Test
    void aPassToNginxsOwnLoopbackListenerIsNoNote() throws IOException {
        write("conf.d/app.conf", """
                server {
                    listen 127.0.0.1:65510;
                    location / { proxy_pass http://app:8080; }
                }
                server {
                    listen 80;
                    location /inner { proxy_pass http://127.0.0.1:65510/inner; }
                }
                """);

        ProjectInit.Plan plan = plan(Optional.empty());

        assertThat(plan.backends()).containsExactly("app");
        assertThat(plan.notes()).isEmpty();
        // Only nginx reaches the loopback server: no route of the stage's client can.
        assertThat(plan.content(ProjectInit.ROUTES)).doesNotContain("65510");
    }

    @Test
    void aLocationThatDeniesGetIsRoutedWithAMethodItLetsThrough() throws IOException {
        // peertube's upload: "limit_except POST HEAD { deny all; }" answers GET with 403; its server keeps its own
        // access_log, so no trace: the echo's answer to a POST says who answered, a HEAD's could not.
        write("conf.d/app.conf", """
                server {
                    listen 80;
                    server_name tube.example.com;
                    location = /upload {
                        limit_except POST HEAD { deny all; }
                        proxy_pass http://app:9000;
                    }
                    location = /put {
                        limit_except PUT { deny all; }
                        proxy_pass http://app:9000;
                    }
                    location = /open {
                        limit_except GET { deny all; }
                        proxy_pass http://app:9000;
                    }
                }
                """);

        String routes = plan(Optional.empty()).content(ProjectInit.ROUTES);

        assertThat(routes).contains("  - request: 'POST http://tube.example.com/upload'\n",
                "  - request: 'PUT http://tube.example.com/put'\n", "  - request: 'GET http://tube.example.com/open'\n",
                "limit_except at ../conf.d/app.conf:5 denies GET: the route sends POST, which it lets through");
    }

    @Test
    void thePhpFrontControllerBehindTryFilesGetsAStandInAndAnActiveRoute() throws IOException {
        // wordpress's shape: nginx checks the script exists before FastCGI; the app's volume has it in production.
        write("conf.d/blog.conf", """
                server {
                    listen 80;
                    server_name blog.example.com;
                    root /var/www/html;
                    location / { try_files $uri $uri/ /index.php$is_args$args; }
                    location ~ \\.php$ {
                        fastcgi_split_path_info ^(.+\\.php)(/.+)$;
                        try_files $fastcgi_script_name =404;
                        fastcgi_pass wordpress:9000;
                    }
                }
                """);

        ProjectInit.Plan plan = plan(Optional.empty());

        assertThat(ProjectInitTest.routes(plan.content(ProjectInit.ROUTES)))
                .containsEntry("GET http://blog.example.com/route", "wordpress")
                .containsEntry("GET http://blog.example.com/index.php", "wordpress");
        assertThat(plan.content(ProjectInit.ROUTES)).contains("try_files at ../conf.d/blog.conf:8 answers 404 unless"
                + " /var/www/html/index.php exists");
        assertThat(plan.content(ProjectInit.PIPELINE)).contains("    /var/www/html/index.php: stand-in.php\n");
        assertThat(plan.files()).extracting(ProjectInit.GeneratedFile::name).containsExactly(ProjectInit.PIPELINE,
                ProjectInit.OFFLINE, ProjectInit.ROUTES, ProjectInit.STAND_IN);
        assertThat(plan.routes()).isEqualTo(2);
    }

    @Test
    void aServerRewriteToANamedScriptGetsItsOwnRouteAndItsStandIn() throws IOException {
        // tt-rss's shape: the health URL is rewritten to a PHP operation, behind the script-exists gate.
        write("conf.d/reader.conf", """
                server {
                    listen 80;
                    server_name rss.example.com;
                    root /var/www/html;
                    rewrite /reader/healthz /reader/public.php?op=healthcheck;
                    rewrite ^/reader/old$ /reader/gone.html;
                    location ~ \\.php$ {
                        try_files $fastcgi_script_name =404;
                        fastcgi_pass app:9000;
                    }
                }
                """);

        ProjectInit.Plan plan = plan(Optional.empty());

        assertThat(ProjectInitTest.routes(plan.content(ProjectInit.ROUTES)))
                .containsEntry("GET http://rss.example.com/index.php", "app")
                .containsEntry("GET http://rss.example.com/reader/healthz", "app")
                .hasSize(2);
        assertThat(plan.content(ProjectInit.ROUTES)).contains("rewrite at ../conf.d/reader.conf:5 makes it"
                + " /reader/public.php?op=healthcheck");
        assertThat(plan.content(ProjectInit.PIPELINE)).contains("    /var/www/html/index.php: stand-in.php\n")
                .contains("    /var/www/html/reader/public.php: stand-in.php\n");
    }

    @Test
    void aRouteWhosePassNeedsAResolverThatIsNotThereSaysWhyItFails() throws IOException {
        // gitea's sub-path recipe and authelia's "set $upstream": nginx answers 502 "no resolver defined" for both.
        write("conf.d/app.conf", """
                server {
                    listen 80;
                    server_name example.com;
                    set $upstream http://authelia:9091;
                    location /git/ { proxy_pass http://gitea:3000$uri; }
                    location /auth/ { proxy_pass $upstream; }
                    location /app/ { proxy_pass http://app:8080; }
                }
                """);

        String routes = plan(Optional.empty()).content(ProjectInit.ROUTES);

        assertThat(routes).contains("  # proxy_pass at ../conf.d/app.conf:5 has variables, so nginx looks gitea up per"
                        + " request, and no resolver is\n  # set: nginx answers 502 (\"no resolver defined\")",
                "  # proxy_pass at ../conf.d/app.conf:6 has variables, so nginx looks authelia up per request, and no");
        assertThat(routes.split("  - request: ")[3]).startsWith("'GET http://example.com/app/'")
                .doesNotContain("resolver");
    }

    @Test
    void sslOnMakesTheServersListensTls() throws IOException {
        // passbolt's older shape: "listen 443;" with "ssl on;" is TLS (nginx before 1.25.1).
        write("conf.d/app.conf", """
                server {
                    listen 443;
                    server_name vault.example.com;
                    ssl on;
                    ssl_certificate /etc/ssl/cert.pem;
                    ssl_certificate_key /etc/ssl/key.pem;
                    location / { proxy_pass http://app:8080; }
                }
                """);

        assertThat(ProjectInitTest.routes(plan(Optional.empty()).content(ProjectInit.ROUTES)))
                .containsOnlyKeys("GET https://vault.example.com/");
    }

    @Test
    void filesMayMapASingleFile() throws IOException {
        Path dh = write("certs/dhparams.pem", "-----BEGIN DH PARAMETERS-----\n");
        write("conf.d/app.conf", "server {\n    listen 80;\n    location / { proxy_pass http://app:8080; }\n}\n");

        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(dir.resolve("conf.d"), Optional.empty(),
                Map.of("/etc/nginx/dhparams.pem", dh), dir));

        assertThat(plan.content(ProjectInit.PIPELINE)).contains("  files:\n    /etc/nginx/dhparams.pem: certs/dhparams.pem\n");
    }
}
