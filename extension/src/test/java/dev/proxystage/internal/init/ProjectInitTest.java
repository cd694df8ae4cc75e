package dev.proxystage.internal.init;

import dev.proxystage.internal.tls.ServerNames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.RouteTableLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * init's discovery over the multi-app tree (every shape it has) and over a tree of shapes it cannot decide: the
 * backends, the generated files as the pipeline loader reads them, the routes, and the notes with file:line.
 */
class ProjectInitTest {

    static final Path MULTIAPP = Path.of("src/test/resources/trees/multiapp").toAbsolutePath();
    static final Path UNDECIDED = Path.of("src/test/resources/init/undecided").toAbsolutePath();

    @TempDir
    Path out;

    private ProjectInit.Plan multiapp(Path outDir) {
        return ProjectInit.plan(new ProjectInit.Request(MULTIAPP.resolve("conf.d"),
                Optional.of(MULTIAPP.resolve("nginx.conf")), Map.of("/config/nginx", MULTIAPP.resolve("nginx")), outDir));
    }

    private ProjectInit.Plan undecided() {
        return ProjectInit.plan(new ProjectInit.Request(UNDECIDED.resolve("conf.d"), Optional.empty(), Map.of(), out));
    }

    private static Map<String, Integer> ports(StageDefinition stage) {
        return stage.backends().stream().collect(Collectors.toMap(BackendSpec::alias, BackendSpec::port));
    }

    @Test
    void multiappBackendsAreTheHandWrittenPipelinesAliasesAndPorts() {
        ProjectInit.write(multiapp(out), out, false);

        StageDefinition generated = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.empty()).stage("prep");
        StageDefinition handWritten = PipelineConfigLoader.load(MULTIAPP.resolve("pipeline.yml"), Optional.empty()).stage("prep");

        assertThat(generated.backends()).hasSize(38);
        assertThat(ports(generated)).isEqualTo(ports(handWritten));
        assertThat(generated.backends()).allSatisfy(b -> {
            assertThat(b.name()).isEqualTo(b.alias());
            assertThat(b.health().path()).isEqualTo("/");
        });
    }

    @Test
    void generatedPipelineHasTheStagesNginxAndFilesOfTheTree() {
        ProjectInit.write(multiapp(out), out, false);

        PipelineConfig pipeline = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.empty());
        StageDefinition prep = pipeline.stage("prep");

        assertThat(pipeline.stageNames()).containsExactly("seed", "wip", "prep", "ship", "prod");
        assertThat(pipeline.defaultStage()).contains("prep");
        assertThat(prep.nginx().image()).isEqualTo("nginx:1.27.3");
        assertThat(prep.nginx().confDir().normalize()).isEqualTo(MULTIAPP.resolve("conf.d"));
        assertThat(prep.nginx().mainConfig().map(Path::normalize)).contains(MULTIAPP.resolve("nginx.conf"));
        assertThat(prep.nginx().files()).containsOnlyKeys("/config/nginx");
        assertThat(prep.nginx().files().get("/config/nginx").normalize()).isEqualTo(MULTIAPP.resolve("nginx"));
    }

    @Test
    void pathsAreRelativeToTheOutputDirectory() {
        String pipeline = multiapp(MULTIAPP).content(ProjectInit.PIPELINE);

        assertThat(pipeline).contains("  confDir: conf.d\n  mainConfig: nginx.conf\n  files:\n    /config/nginx: nginx\n");
    }

    @Test
    void offlineOverlayRunsEveryBackendAsTheEchoBackendOnTheOfflineImages() {
        ProjectInit.write(multiapp(out), out, false);

        StageDefinition offline = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.of("offline")).stage("wip");

        assertThat(offline.backends()).hasSize(38).allSatisfy(b -> assertThat(b.isEcho()).as(b.name()).isTrue());
        assertThat(offline.nginx().image()).isEqualTo("proxystage/nginx:offline");
        assertThat(offline.echoImage()).isEqualTo("proxystage/jre:17-offline");
    }

    @Test
    void regexServerNamesThatProxyStageDerivesNeedNoTestName() {
        ProjectInit.write(multiapp(out), out, false);

        Map<String, String> testNames = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.empty())
                .stage("prep").tls().testNames();

        // Both regex names of the tree derive a host at stage start; init writes placeholders only for the others.
        assertThat(testNames).isEmpty();
        assertThat(ServerNames.testHostName(PAGES, Map.of())).hasValueSatisfying(h -> assertThat(h).matches(PAGES.substring(1)));
        assertThat(ServerNames.testHostName(CODE, Map.of())).hasValueSatisfying(h -> assertThat(h).matches(CODE.substring(1)));
    }

    private static final String PAGES = "~^(?<user>[a-z0-9-]+)\\.pages\\.example\\.com$";
    private static final String CODE = "~^[0-9]{2,5}\\.code\\.example\\.com$";

    @Test
    void routesCoverEveryShapeOfTheTree() {
        Map<String, String> routes = routes(multiapp(out).content(ProjectInit.ROUTES));

        assertThat(routes)
                // direct proxy_pass, a server with two names
                .containsEntry("GET https://git.example.com/", "gitea")
                .containsEntry("GET https://gitea.example.com/", "gitea")
                // upstream blocks
                .containsEntry("GET https://photos.example.com/", "immich-server")
                .containsEntry("GET https://grafana.example.com/api/live/", "grafana")
                // variables set at server level, used by several locations
                .containsEntry("GET https://vault.example.com/", "vaultwarden")
                .containsEntry("GET https://vault.example.com/notifications/hub", "vaultwarden")
                // two backends on one server: a regex location and a prefix location
                .containsEntry("GET https://matrix.example.com/_matrix", "synapse")
                .containsEntry("GET https://matrix.example.com/", "element")
                // wildcard and regex server names
                .containsEntry("GET https://s3.example.com/", "minio")
                .containsEntry("GET https://test.s3.example.com/", "minio")
                .containsEntry("GET https://auth.proxystage.test/", "authelia")
                .containsEntry("GET https://auth.proxystage.test/api/firstfactor", "authelia")
                .containsEntry("GET https://" + ServerNames.testHostName(PAGES, Map.of()).orElseThrow() + "/", "pages")
                .containsEntry("GET https://" + ServerNames.testHostName(CODE, Map.of()).orElseThrow() + "/", "code-server")
                // "location = /" answers with a redirect, so "/" is tested through another path
                .containsEntry("GET https://pihole.example.com/route", "pihole")
                .doesNotContainKey("GET https://pihole.example.com/")
                // locations that answer themselves, and the catch-all servers, expect no backend
                .doesNotContainKey("GET https://matrix.example.com/.well-known/matrix/server");
        assertThat(routes.keySet()).noneMatch(url -> url.contains("acme-challenge"));
        assertThat(routes.values()).containsAll(List.of("gitea", "synapse", "element", "homeassistant", "n8n"));
    }

    @Test
    void routesBehindDenyAreCommentedOutAndNoted() {
        ProjectInit.Plan plan = multiapp(out);
        Map<String, String> routes = routes(plan.content(ProjectInit.ROUTES));
        Path vaultwarden = MULTIAPP.resolve("conf.d/vaultwarden.subdomain.conf");

        assertThat(routes).doesNotContainKeys("GET https://vault.example.com/admin", "GET https://prometheus.example.com/",
                "GET https://alerts.example.com/");
        assertThat(plan.content(ProjectInit.ROUTES)).contains("  # - request: 'GET https://vault.example.com/admin'\n"
                + "  #   expect: {backend: vaultwarden}\n");
        assertThat(plan.notes()).extracting(ProjectInit.Note::text).containsExactly(
                MULTIAPP.resolve("conf.d/internal/prometheus.subdomain.conf") + ":14: location / is restricted by"
                        + " \"deny all\" (line 12); its route https://prometheus.example.com/ is commented out in routes.yml",
                MULTIAPP.resolve("conf.d/internal/alertmanager.subdomain.conf") + ":14: location / is restricted by"
                        + " \"deny all\" (line 12); its route https://alerts.example.com/ is commented out in routes.yml",
                vaultwarden + ":26: location /admin is restricted by \"deny all\" (line 29); its route"
                        + " https://vault.example.com/admin is commented out in routes.yml");
        assertThat(plan.routes()).isEqualTo(routes.size());
    }

    @Test
    void undecidableTargetsAreNotesAtTheirFileAndLine() {
        Path site = UNDECIDED.resolve("conf.d/site.conf");

        assertThat(undecided().notes()).extracting(ProjectInit.Note::text).containsExactly(
                site + ":18: cannot decide the backend of proxy_pass \"http://$http_host$request_uri\": $http_host"
                        + " is set by no \"set\" or \"map\" (the request decides); add its backend by hand",
                site + ":22: upstream host 'api.example.org' is outside the stage (a public host name, not a container"
                        + " name); no backend written for it (if your stage network gives a container that alias,"
                        + " add it to pipeline.yml)",
                site + ":26: proxy_pass \"http://127.0.0.1:9000\" goes to '127.0.0.1', not a container on the stage"
                        + " network; no backend written for it",
                site + ":38: no test host can be derived for server_name \"~^(?!www\\.)(?<sub>.+)\\.example\\.net$\";"
                        + " pipeline.yml's tls.testNames has a placeholder for it: name a host it matches",
                site + ":38: no test host can be derived for server_name \"$hostname\"; pipeline.yml's tls.testNames"
                        + " has a placeholder for it: name a host it matches",
                site + ":30: backend 'app1' is also reached on port 9090; pipeline.yml names port 8080 (the"
                        + " others are a comment), the offline overlay's echo answers on all of them");
    }

    @Test
    void anUpstreamOfSeveralServersIsARouteToOneOfThem() throws IOException {
        String routes = undecided().content(ProjectInit.ROUTES);

        assertThat(routes).contains("  # one of the backends answers, as nginx balances the upstream's servers\n"
                + "  - request: 'GET https://shop.example.com/'\n    expect: {backend: [app1, app2]}\n");
        assertThat(RouteTableLoader.load(Files.writeString(out.resolve("routes.yml"), routes)).routes()).anySatisfy(route -> {
            assertThat(route.request().url()).isEqualTo("https://shop.example.com/");
            assertThat(route.expect().backends()).containsExactly("app1", "app2");
        });
    }

    @Test
    void theOfflineEchoAnswersOnEveryPortABackendIsReachedOn() {
        ProjectInit.write(undecided(), out, false);
        Path dir = out;

        StageDefinition offline = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.of("offline")).stage("prep");
        assertThat(offline.backend("app1").orElseThrow().ports()).containsExactly(8080, 9090);
        assertThat(PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty()).stage("prep")
                .backend("app1").orElseThrow().ports()).containsExactly(8080);
    }

    @Test
    void decidableBackendsOfAMixedTreeAreWrittenWithTheirOtherPortsAndSchemes() {
        ProjectInit.Plan plan = undecided();
        String pipeline = plan.content(ProjectInit.PIPELINE);

        assertThat(plan.backends()).containsExactly("app1", "app2", "rpc");
        assertThat(pipeline)
                .contains("  app1:\n    image: echo   # replace with the image that serves app1\n    alias: app1\n"
                        + "    port: 8080   # also reached on 9090\n")
                .contains("  rpc:\n    image: echo   # replace with the image that serves rpc\n    alias: rpc\n"
                        + "    port: 50051\n    # reached over grpc; the echo backend answers HTTP, FastCGI and uwsgi only\n")
                .contains("    '~^(?!www\\.)(?<sub>.+)\\.example\\.net$': replace-me.invalid   # placeholder")
                .contains("    '$hostname': replace-me.invalid   # placeholder");
        // The second server's names give no test host, but it is port 8080's default server: any host reaches it.
        assertThat(routes(plan.content(ProjectInit.ROUTES))).containsExactly(
                Map.entry("GET https://shop.example.com/", "[app1, app2]"),
                Map.entry("GET https://shop.example.com/admin", "app1"),
                Map.entry("GET https://shop.example.com/rpc", "rpc"),
                Map.entry("GET http://default.proxystage.invalid:8080/", "app2"));
    }

    @Test
    void mapValuesNestedLocationsAndIfBlocks() throws IOException {
        Path confD = Files.createDirectories(out.resolve("conf.d"));
        Path site = confD.resolve("site.conf");
        Files.writeString(site, """
                map $host $app {
                    default         web;
                    api.example.com api;
                }
                server {
                    listen 80;
                    server_name www.example.com;
                    resolver 127.0.0.11;
                    location / {
                        proxy_pass http://$app:8080;
                    }
                    location /static/ {
                        location /static/img/ {
                            if ($request_method = POST) {
                                proxy_pass http://img:80;
                            }
                            proxy_pass http://img:80;
                        }
                        proxy_pass http://files:80;
                    }
                }
                """);

        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out));

        assertThat(plan.backends()).containsExactly("web", "api", "img", "files");
        // The map on $host gives www.example.com its default: web, as nginx evaluates it for that request.
        assertThat(routes(plan.content(ProjectInit.ROUTES))).containsExactly(
                Map.entry("GET http://www.example.com/", "web"),
                Map.entry("GET http://www.example.com/static/", "files"),
                Map.entry("GET http://www.example.com/static/img/", "img"));
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void aPassThroughAMapOnMethodAndAcceptRoutesAPlainGetToTheMapsDefault() throws IOException {
        Path confD = Files.createDirectories(out.resolve("conf.d"));
        Files.writeString(confD.resolve("forum.conf"), """
                map "$request_method:$http_accept" $proxpass {
                    default "http://forum-ui:1234";
                    "~^(?:GET|HEAD):.*?application\\/(?:activity|ld)\\+json" "http://forum:8536";
                    ~^(?!(GET|HEAD)).*: "http://forum:8536";
                }
                server {
                    listen 1236;
                    server_name _;
                    location / {
                        proxy_pass $proxpass;
                    }
                    location /api {
                        proxy_pass http://forum:8536;
                    }
                }
                """);

        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out));

        assertThat(plan.backends()).containsExactly("forum-ui", "forum");
        assertThat(routes(plan.content(ProjectInit.ROUTES))).containsExactly(
                Map.entry("GET http://default.proxystage.invalid:1236/", "forum-ui"),
                Map.entry("GET http://default.proxystage.invalid:1236/api", "forum"));
        assertThat(plan.notes()).isEmpty();
    }

    @Test
    void aMapOnWhatTheStagesClientDoesNotFixIsANoteSayingWhyNoRouteIsWritten() throws IOException {
        Path confD = Files.createDirectories(out.resolve("conf.d"));
        Path site = confD.resolve("site.conf");
        Files.writeString(site, """
                map $http_user_agent $pool {
                    default web:8080;
                    ~*bot crawler:8080;
                }
                server {
                    listen 80;
                    server_name www.example.com;
                    location / {
                        proxy_pass http://$pool;
                    }
                }
                """);

        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out));

        assertThat(plan.backends()).containsExactly("web", "crawler");
        assertThat(routes(plan.content(ProjectInit.ROUTES))).isEmpty();
        assertThat(plan.notes()).extracting(ProjectInit.Note::text).containsExactly(site + ":8: location / reaches"
                + " several backends (web, crawler); routes.yml names none for it (which one a plain GET reaches is"
                + " not certain: the map at " + site + ":1 for $pool reads \"$http_user_agent\", and"
                + " $http_user_agent is not known for this request)");
    }

    @Test
    void existingFilesAreKeptWithoutForceAndNothingIsWritten() throws IOException {
        Files.writeString(out.resolve("routes.yml"), "mine\n");

        assertThatThrownBy(() -> ProjectInit.write(undecided(), out, false))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage(out.resolve("routes.yml") + " exists; nothing written (--force overwrites)");
        assertThat(out.resolve("pipeline.yml")).doesNotExist();
        assertThat(out.resolve("routes.yml")).hasContent("mine");

        List<ProjectInit.Written> written = ProjectInit.write(undecided(), out, true);

        assertThat(written).containsExactly(new ProjectInit.Written(out.resolve("pipeline.yml"), false),
                new ProjectInit.Written(out.resolve("pipeline-offline.yml"), false),
                new ProjectInit.Written(out.resolve("routes.yml"), true));
        assertThat(out.resolve("routes.yml")).content().startsWith("# routes.yml");
    }

    @Test
    void aMissingConfDIsOneLine() {
        Path missing = out.resolve("nope");

        assertThatThrownBy(() -> ProjectInit.plan(new ProjectInit.Request(missing, Optional.empty(), Map.of(), out)))
                .isInstanceOf(ProxyStageException.class).hasMessage("conf.d directory not found: " + missing);
    }

    @Test
    void aBrokenConfDNamesFileAndLine() throws IOException {
        Path confD = Files.createDirectories(out.resolve("conf.d"));
        Files.writeString(confD.resolve("a.conf"), "server {\n    listen 80;\n    location / {\n        proxy_pass http://app:80\n    }\n}\n");

        assertThatThrownBy(() -> ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out)))
                .isInstanceOf(ProxyStageException.class).hasMessageStartingWith(confD.resolve("a.conf") + ":");
    }

    @Test
    void aConfDThatReachesNoBackendIsAnError() throws IOException {
        Path confD = Files.createDirectories(out.resolve("conf.d"));
        Files.writeString(confD.resolve("a.conf"), "server {\n    listen 80;\n    location / {\n"
                + "        proxy_pass http://$http_host;\n    }\n}\n");

        assertThatThrownBy(() -> ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out)))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage(confD + ": no backend found: no proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass or grpc_pass"
                        + " reaches a host that can be a container on the stage network (1 undecided, below)\n"
                        + confD.resolve("a.conf") + ":4: cannot decide the backend of proxy_pass \"http://$http_host\":"
                        + " $http_host is set by no \"set\" or \"map\" (the request decides); add its backend by hand");
    }

    private static final String MAIN_ONLY = """
            events {}
            http {
                upstream app { server web:8080; }
                server {
                    listen 80;
                    server_name www.example.com;
                    location / { proxy_pass http://app; }
                    location /php/ { fastcgi_pass php:9000; }
                }
            }
            """;

    @Test
    void serversAllInTheMainConfigWithAnEmptyConfD() throws IOException {
        Path confD = Files.createDirectories(out.resolve("conf.d"));
        Path main = Files.writeString(out.resolve("nginx.conf"), MAIN_ONLY);

        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(confD, Optional.of(main), Map.of(), out));

        assertThat(plan.backends()).containsExactly("web", "php");
        assertThat(routes(plan.content(ProjectInit.ROUTES))).containsExactly(
                Map.entry("GET http://www.example.com/", "web"),
                Map.entry("GET http://www.example.com/php/", "php"));
    }

    @Test
    void aMainConfigGivenAsConfDIsOneLineSayingSo() throws IOException {
        Path confD = Files.createDirectories(out.resolve("nginx"));
        Files.writeString(confD.resolve("nginx.conf"), MAIN_ONLY);

        assertThatThrownBy(() -> ProjectInit.plan(new ProjectInit.Request(confD, Optional.empty(), Map.of(), out)))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage(confD.resolve("nginx.conf") + ":1: \"events\" block in a conf.d file, which nginx reads inside"
                        + " http { }: nginx.conf is a main configuration; give it with --main-config (conf.d may then be"
                        + " empty)");
    }

    /** routes.yml as request to backend, in order; commented-out routes are not routes. */
    @SuppressWarnings("unchecked")
    static Map<String, String> routes(String yaml) {
        Map<String, Object> root = new Yaml().load(yaml);
        Map<String, String> routes = new LinkedHashMap<>();
        for (Map<String, Object> route : (List<Map<String, Object>>) root.get("routes")) {
            routes.put((String) route.get("request"), String.valueOf(((Map<String, Object>) route.get("expect")).get("backend")));
        }
        return routes;
    }
}
