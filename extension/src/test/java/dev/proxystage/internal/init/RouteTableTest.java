package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.proxystage.internal.config.BackendSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * init's route table over the shapes real stacks have (src/test/resources/init/shapes): default servers without a
 * usable name, try_files to named locations, a server-level redirect for one path, PHP behind FastCGI and file
 * gates, deny and auth_basic, a host too long for a backend name.
 */
class RouteTableTest {

    static final Path SHAPES = Path.of("src/test/resources/init/shapes").toAbsolutePath();

    @TempDir
    Path out;

    /** The tree copied into the output directory, as a project holds it: routes.yml names conf.d/... */
    private ProjectInit.Plan plan() {
        Path confD = out.resolve("conf.d");
        try {
            if (!Files.isDirectory(confD)) {
                Files.createDirectories(confD);
                try (var files = Files.list(SHAPES.resolve("conf.d"))) {
                    for (Path f : files.toList()) {
                        Files.copy(f, confD.resolve(f.getFileName().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out));
    }

    private List<String> notes() {
        return plan().notes().stream().map(ProjectInit.Note::text).toList();
    }

    private Path file(String name) {
        return out.resolve("conf.d").resolve(name);
    }

    @Test
    void aServerWithoutServerNameIsReachedAsItsPortsDefaultServer() {
        String routes = plan().content(ProjectInit.ROUTES);

        assertThat(ProjectInitTest.routes(routes))
                .containsEntry("GET http://default.proxystage.invalid/", "frontend")
                .containsEntry("GET http://default.proxystage.invalid/api/", "api");
        assertThat(routes).contains("  # default server of port 80 (the first server on it, no server_name): nginx"
                + " gives it every host no other\n  # server there claims, such as default.proxystage.invalid\n");
    }

    @Test
    void defaultServerMarkedOrNamedUnderscoreOrDollarHostIsReachedToo() {
        Map<String, String> routes = ProjectInitTest.routes(plan().content(ProjectInit.ROUTES));

        // "server_name $host; listen 8080 default_server" and "server_name _;" first on 8443 (TLS).
        assertThat(routes)
                .containsEntry("GET http://default.proxystage.invalid:8080/", "webserver")
                .containsEntry("GET https://default.proxystage.invalid:8443/", "edge");
    }

    @Test
    void aTlsDefaultServersCertificateCarriesTheDefaultHostThroughTestNames() {
        ProjectInit.write(plan(), out, false);

        StageDefinition prep = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.empty()).stage("prep");

        // "server_name _" on 8443, and no server_name at all (nginx's "") on 9443.
        assertThat(prep.tls().testNames()).containsOnly(Map.entry("_", "default.proxystage.invalid"),
                Map.entry("", "default.proxystage.invalid"));
        assertThat(ProjectInitTest.routes(plan().content(ProjectInit.ROUTES)))
                .containsEntry("GET https://default.proxystage.invalid:9443/", "vault");
    }

    @Test
    void aNamelessServerThatIsNoPortsDefaultIsNotedNotRouted() {
        assertThat(ProjectInitTest.routes(plan().content(ProjectInit.ROUTES))).doesNotContainValue("shadow");
        assertThat(notes()).contains(file("10-proxy.conf") + ":15: server with server_name _ is not the default server"
                + " of any port it listens on, so nginx routes no request to it; no route written for it");
    }

    @Test
    void aServerLevelRewriteIsJudgedByWhatItMatches() {
        Map<String, String> routes = ProjectInitTest.routes(plan().content(ProjectInit.ROUTES));

        assertThat(routes)
                .containsEntry("GET https://mail.example.org/groupware", "groupware")
                .containsEntry("GET https://mail.example.org/Microsoft-Server-ActiveSync", "groupware")
                .doesNotContainKey("GET https://mail.example.org/");
    }

    @Test
    void aPrefixWhoseRewriteLeavesItsOwnPathEmptyIsRoutedBelowIt() throws IOException {
        // Seafile's file server: GET /seafhttp becomes an empty URI, which nginx answers with 500 (LocationResolverIT,
        // rewrite.test /cut); GET /seafhttp/route becomes /route and reaches the file server.
        Path project = out.resolve("seafile");
        Path confD = Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(confD.resolve("seafile.conf"), """
                server {
                    listen 80;
                    server_name files.example.com;
                    location / { proxy_pass http://seahub:8000; }
                    location /seafhttp {
                        rewrite ^/seafhttp(.*)$ $1 break;
                        proxy_pass http://fileserver:8082;
                    }
                }
                """);

        Map<String, String> routes = ProjectInitTest.routes(ProjectInit.plan(new ProjectInit.Request(confD,
                Optional.empty(), Map.of(), project)).content(ProjectInit.ROUTES));

        assertThat(routes)
                .containsEntry("GET http://files.example.com/seafhttp/route", "fileserver")
                .doesNotContainKey("GET http://files.example.com/seafhttp");
    }

    @Test
    void aRegexLocationWithAnAnchorInsideIsRouted() throws IOException {
        Path project = out.resolve("api");
        Path confD = Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(confD.resolve("api.conf"), """
                server {
                    listen 80;
                    server_name app.example.com;
                    location / { proxy_pass http://web:3000; }
                    location ~* ^/(api|graphql)(/|$) { proxy_pass http://api:8080; }
                }
                """);

        Map<String, String> routes = ProjectInitTest.routes(ProjectInit.plan(new ProjectInit.Request(confD,
                Optional.empty(), Map.of(), project)).content(ProjectInit.ROUTES));

        assertThat(routes).containsEntry("GET http://app.example.com/api", "api");
    }

    @Test
    void aRequestThatMissesTheStaticFilesReachesTheNamedLocation() {
        String routes = plan().content(ProjectInit.ROUTES);

        assertThat(routes).contains("  # nginx takes it on to location @webserver (conf.d/30-static-first.conf:12), as no"
                + " file exists in a stage\n  # conf.d/30-static-first.conf:8 location /\n"
                + "  - request: 'GET http://default.proxystage.invalid:8080/'\n");
    }

    @Test
    void fastcgiCountsAndTheFrontControllerIsReachedThroughTryFiles() {
        Map<String, String> routes = ProjectInitTest.routes(plan().content(ProjectInit.ROUTES));

        assertThat(plan().backends()).contains("php-fpm");
        assertThat(routes).containsEntry("GET http://shop.example.org/", "php-fpm");
        // The front controller is internal, so no request of its own reaches it; the route above passes it.
        assertThat(notes()).noneMatch(n -> n.contains("index\\.php"));
    }

    @Test
    void routesThatCannotPassInAStageAreCommentedOutWithTheReason() {
        String routes = plan().content(ProjectInit.ROUTES);

        assertThat(routes)
                .contains("  # commented out: try_files at conf.d/40-php.conf:18 answers 404 unless the file exists,"
                        + " and only the\n  # production container has its files\n"
                        + "  # - request: 'GET http://shop.example.org/.php'\n  #   expect: {backend: php-fpm}\n")
                .contains("  # commented out: \"deny all\" at conf.d/40-php.conf:23 answers 403 before the backend\n"
                        + "  # - request: 'GET http://shop.example.org/admin/'\n  #   expect: {backend: admin}\n")
                .contains("  # commented out: auth_basic at conf.d/40-php.conf:28 answers 401 before the backend; add"
                        + " credentials to the\n  # request to enable it\n"
                        + "  # - request: 'GET http://shop.example.org/stats/'\n");
        assertThat(ProjectInitTest.routes(routes)).doesNotContainValue("admin").doesNotContainValue("stats")
                .doesNotContainKey("GET http://shop.example.org/assets/");
        assertThat(notes()).contains(file("40-php.conf") + ":22: location /admin/: its route"
                + " http://shop.example.org/admin/ is commented out in routes.yml: \"deny all\" at " + file("40-php.conf")
                + ":23 answers 403 before the backend");
    }

    @Test
    void aHostTooLongForABackendNameGetsAShorterNameAndStaysTheAlias() {
        ProjectInit.Plan plan = plan();
        ProjectInit.write(plan, out, false);
        String host = "reporting-service-primary-instance-europe-west-001";

        StageDefinition prep = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.empty()).stage("prep");

        assertThat(prep.backend(host)).isEmpty();
        assertThat(prep.backends()).filteredOn((BackendSpec b) -> b.alias().equals(host)).singleElement()
                .satisfies(b -> assertThat(b.name()).hasSizeLessThanOrEqualTo(Discovery.MAX_NAME).startsWith("reporting-"));
        assertThat(ProjectInitTest.routes(plan.content(ProjectInit.ROUTES)))
                .containsEntry("GET http://reports.example.org/", host);
        assertThat(plan.notes()).extracting(ProjectInit.Note::text).anyMatch(n -> n.startsWith(file("50-long.conf")
                + ":7: upstream host '" + host + "' is 50 characters, too long for a backend name"));
    }
}
