package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * init with the stack's compose file: the services conf.d reaches become backends with their real definitions, the
 * secrets stay out of every file, the offline overlay still runs the echo backend, and what does not map is a note.
 */
class ComposeInitTest {

    static final Path STACK = Path.of("src/test/resources/init/compose-stack").toAbsolutePath();
    static final Path COMPOSE = STACK.resolve("docker-compose.yml");

    @TempDir
    Path out;

    private ProjectInit.Plan plan(boolean bindMounts) {
        return ProjectInit.plan(new ProjectInit.Request(STACK.resolve("conf.d"), Optional.empty(), Map.of(), out,
                new ProjectInit.Compose(Optional.empty(), true, bindMounts, Map.of())));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> backend(ProjectInit.Plan plan, String name) {
        Map<String, Object> pipeline = new Yaml().load(plan.content(ProjectInit.PIPELINE));
        return (Map<String, Object>) ((Map<String, Object>) pipeline.get("backends")).get(name);
    }

    private static List<String> notes(ProjectInit.Plan plan) {
        return plan.notes().stream().map(ProjectInit.Note::text).toList();
    }

    @Test
    void reachedServicesBecomeBackendsWithTheirImagesAndHostNames() {
        ProjectInit.Plan plan = plan(false);

        assertThat(plan.backends()).containsExactly("app", "xmpp.meet.jitsi", "web", "php", "statuspage");
        assertThat(plan.composeImages()).isEqualTo(4);
        Map<String, Object> app = backend(plan, "app");
        // the image tag comes from .env, as compose interpolates it
        assertThat(app).containsEntry("image", "ghcr.io/example/cloud:29.0.1").containsEntry("alias", "app")
                .containsEntry("aliases", List.of("cloud-app")).containsEntry("port", 8080)
                .containsEntry("data", "/var/www/html")
                .containsEntry("command", List.of("php-fpm", "--nodaemonize", "-d", "memory_limit=512M"));
        assertThat(app.get("health")).isEqualTo(Map.of("path", "/status.php", "timeout", "70s"));
        Map<String, Object> prosody = backend(plan, "prosody");
        assertThat(prosody).containsEntry("alias", "xmpp.meet.jitsi").containsEntry("aliases", List.of("prosody"))
                .containsEntry("port", 5280).containsEntry("entrypoint", List.of("/init"))
                .containsEntry("image", "jitsi/prosody:stable");
        assertThat(plan.content(ProjectInit.PIPELINE)).contains("nginx:\n  image: nginx:1.25-alpine\n");
        // a second host name of the same service is one backend, and its route expects that backend's alias
        assertThat(plan.content(ProjectInit.ROUTES))
                .contains("- request: 'GET http://files.example.com/'\n    expect: {backend: app}");
        assertThat(backend(plan, "statuspage")).containsEntry("image", "echo");
        // a health check that asks localhost:<port>/path without a scheme, as curl and wget allow
        assertThat(backend(plan, "web").get("health")).isEqualTo(Map.of("path", "/healthz"));
    }

    @Test
    void secretsBecomeReferencesAndNoValueIsCopied() {
        ProjectInit.Plan plan = plan(false);

        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) backend(plan, "app").get("env");
        assertThat(env).containsEntry("DB_HOST", "db").containsEntry("LOG_LEVEL", "info")
                .containsEntry("GREETING", "say \"hi\"")
                .containsEntry("DB_PASSWORD", "${env:DB_PASSWORD}").containsEntry("SECRET_TOKEN", "${env:SECRET_TOKEN}")
                .containsEntry("SIGNING", "${env:SIGNING}").containsEntry("MAIL_URL", "${env:MAIL_URL}")
                .doesNotContainKey("TZ");
        assertThat(backend(plan, "app").get("envFile")).isEqualTo(List.of(ProjectInit.relative(out, STACK.resolve("app.env"))));
        @SuppressWarnings("unchecked")
        Map<String, Object> phpEnv = (Map<String, Object>) backend(plan, "php").get("env");
        assertThat(phpEnv).containsEntry("PHP_MEMORY_LIMIT", "256M").containsEntry("APP_KEY", "${env:APP_KEY}");
        for (ProjectInit.GeneratedFile file : plan.files()) {
            assertThat(file.content()).as(file.name()).doesNotContain("s3cr3t-literal", "Zq8Lw2Rt6Yp0", "hunter2",
                    "example\n", "UPLOAD_LIMIT");
        }
        assertThat(notes(plan)).contains(COMPOSE + ":21: service \"app\": DB_PASSWORD, SECRET_TOKEN, SIGNING, MAIL_URL"
                + " are secrets, never copied: pipeline.yml takes them from the environment the stage runs in"
                + " (${env:NAME}), the offline overlay gives placeholders");
    }

    @Test
    void whatDoesNotMapIsOneLineEachAtItsPlace() {
        List<String> notes = notes(plan(false));

        assertThat(notes).contains(
                COMPOSE + ":41: service \"app\": \"cap_add\" is not carried over",
                COMPOSE + ":4: service \"app\": \"restart\" is not carried over",
                COMPOSE + ":39: service \"app\": bind mount \"./config:/config\" is not carried over (init --bind-mounts"
                        + " makes it data.hostPath)",
                COMPOSE + ":43: service \"app\": \"depends_on\" (db) is not kept: a stage starts its backends together"
                        + " and waits until each is healthy; db is not reached by the nginx configuration, so no backend",
                COMPOSE + ":55: service \"prosody\": its healthcheck test (prosodyctl status) is not an HTTP GET, which"
                        + " is how ProxyStage checks health; health.path stays / (set a path the image answers 2xx or 3xx)",
                COMPOSE + ":80: service \"db\" is not reached by the nginx configuration; no backend written for it",
                COMPOSE + ":27: service \"app\": environment TZ has no value and is not set; left out, as compose leaves"
                        + " it out",
                STACK.resolve("conf.d/shop.conf") + ":12: upstream host 'statuspage' is no service, network alias or"
                        + " container name of docker-compose.yml; its backend runs the echo backend until its image is named");
        assertThat(notes).anyMatch(n -> n.startsWith(COMPOSE + ":69: service \"php\" is reached over fastcgi only"));
    }

    @Test
    void bindMountsBecomeProdsHostPathOnlyWhenAsked() throws IOException {
        assertThat(backend(plan(false), "php")).doesNotContainKey("data");
        ProjectInit.Plan plan = plan(true);
        // test stages never share a directory with prod: they get a fresh volume, prod mounts the host directory
        assertThat(backend(plan, "php")).containsEntry("data", "/var/www/html");
        ProjectInit.write(plan, out, false);
        var config = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.of("offline"));
        assertThat(config.stage("prep").backend("php").orElseThrow().data().orElseThrow().persists()).isFalse();
        var prod = config.stage("prod").backend("php").orElseThrow().data().orElseThrow();
        assertThat(prod.hostDir()).contains(STACK.resolve("www"));
        assertThat(prod.readOnly()).isTrue();
        assertThat(notes(plan)).contains(COMPOSE + ":74: service \"php\": bind mount \"./www:/var/www/html\" is the"
                + " prod stage's data.hostPath; the test stages get a fresh volume at /var/www/html (add data.seedFrom: "
                + ProjectInit.relative(out, STACK.resolve("www")) + " to copy it in)");
    }

    @Test
    void theOfflineOverlayLoadsWithoutSecretsAndCheckIsClean() throws IOException {
        ProjectInit.write(plan(true), out, false);

        // without the offline profile, the secrets must come from the environment
        assertThatThrownBy(() -> PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.empty()))
                .isInstanceOf(ProxyStageException.class)
                .hasMessageContaining("backends.app.env.DB_PASSWORD takes the environment variable DB_PASSWORD, which is not set");
        StageDefinition prep = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.of("offline")).stage("prep");
        assertThat(prep.backends()).allMatch(BackendSpec::isEcho);
        BackendSpec app = prep.backend("app").orElseThrow();
        assertThat(app.hostNames()).containsExactly("app", "cloud-app");
        assertThat(app.command()).isEmpty();
        assertThat(app.env()).containsEntry("DB_PASSWORD", ComposeBackends.OFFLINE_SECRET).containsEntry("UPLOAD_LIMIT", "512M");
        assertThat(prep.backend("prosody").orElseThrow().entrypoint()).isEmpty();

        NginxConfig config = NginxConfig.parse(ParseRequest.of(prep.nginx().confDir()));
        List<Problem> errors = StagePlan.check(prep, config).stream().filter(Problem::isError).toList();
        assertThat(errors).isEmpty();
        assertThat(Files.readString(out.resolve("pipeline-offline.yml"))).doesNotContain("s3cr3t");
    }

    @Test
    void noComposeFileMeansTheEchoBackendAsBefore() {
        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(STACK.resolve("conf.d"), Optional.empty(),
                Map.of(), out, ProjectInit.Compose.NONE));

        assertThat(plan.composeImages()).isZero();
        assertThat(backend(plan, "app")).containsEntry("image", "echo");
        // without the compose file, a dotted host under no public top-level domain is still a backend
        assertThat(plan.backends()).contains("xmpp.meet.jitsi");
    }

    @Test
    void valuesThatLookLikeSecretsWhateverTheirName() {
        assertThat(ComposeBackends.looksSecret("Zq8Lw2Rt6Yp0Xv4Nb7Mc1Kd5Hf9Gj3Sa")).isTrue();
        assertThat(ComposeBackends.looksSecret("postgres://app:pw@db:5432/app")).isTrue();
        assertThat(ComposeBackends.looksSecret("-----BEGIN PRIVATE KEY-----\nMIIB")).isTrue();
        assertThat(ComposeBackends.looksSecret("changeme")).isFalse();
        assertThat(ComposeBackends.looksSecret("https://cloud.example.com/index.php/apps/files")).isFalse();
        assertThat(ComposeBackends.looksSecret("/var/lib/postgresql/data/pgdata2024")).isFalse();
        assertThat(ComposeBackends.looksSecret("unless-stopped-and-then-some-words")).isFalse();
    }

    @Test
    void anAliasTwoServicesShareGoesToOneBackendOnly(@TempDir Path stack) throws IOException {
        Files.createDirectories(stack.resolve("conf.d"));
        Files.writeString(stack.resolve("conf.d/two.conf"), """
                server { listen 80; server_name a.example.com; location / { proxy_pass http://a:80; } }
                server { listen 80; server_name b.example.com; location / { proxy_pass http://b:80; } }
                """);
        Files.writeString(stack.resolve("compose.yaml"), """
                services:
                  a:
                    image: a:1
                    networks: {back: {aliases: [shared]}}
                  b:
                    image: b:1
                    networks: {back: {aliases: [shared]}}
                  proxy:
                    image: docker.io/library/nginx:1.27-alpine
                """);
        Files.writeString(stack.resolve("compose.override.yaml"), "services: {}\n");
        ProjectInit.Plan plan = ProjectInit.plan(new ProjectInit.Request(stack.resolve("conf.d"), Optional.empty(),
                Map.of(), out));
        ProjectInit.write(plan, out, false);
        assertThat(notes(plan)).contains(stack.resolve("compose.override.yaml") + ": not merged: init reads"
                + " compose.yaml only (compose would merge this override file into it)");

        StageDefinition prep = PipelineConfigLoader.load(out.resolve("pipeline.yml"), Optional.of("offline")).stage("prep");
        assertThat(prep.backend("a").orElseThrow().aliases()).containsExactly("shared");
        assertThat(prep.backend("b").orElseThrow().aliases()).isEmpty();
        // no service mounts this conf.d, but one runs nginx's own image: it is the proxy
        assertThat(prep.nginx().image()).isEqualTo("proxystage/nginx:offline");
        assertThat(plan.content(ProjectInit.PIPELINE)).contains("nginx:\n  image: docker.io/library/nginx:1.27-alpine\n");
        assertThat(notes(plan)).contains(stack.resolve("compose.yaml") + ":6: service \"b\": host name 'shared' is also"
                + " service \"a\"'s; the stage gives it to that one only");
    }

    @Test
    void namesThatSayTheirValueIsASecret() {
        assertThat(List.of("DB_PASSWORD", "MYSQL_ROOT_PASSWD", "SECRET_KEY_BASE", "GITEA__security__INTERNAL_TOKEN",
                "APP_KEY", "PRIVATE_KEY_FILE", "AWS_CREDENTIALS", "DBPASS", "SMTP_PASS", "PASS"))
                .allMatch(ComposeBackends::secretName);
        assertThat(List.of("DB_HOST", "LOG_LEVEL", "BYPASS_PROXY", "COMPASS_URL", "PASSTHROUGH", "SIGNUPS_ALLOWED"))
                .noneMatch(ComposeBackends::secretName);
        // a name that ends by naming a place: Grafana's OAuth endpoints, an identity server's host
        assertThat(List.of("GF_AUTH_GENERIC_OAUTH_TOKEN_URL", "OIDC_TOKEN_ENDPOINT", "KEYCLOAK_HOST", "KEY_SERVER_PORT"))
                .noneMatch(ComposeBackends::secretName);
    }

    /** A place's value is still judged on its own: credentials in its user part or its query are secrets. */
    @Test
    void placeValuesThatCarryACredential() {
        assertThat(List.of("https://sso.example.com/token?client_secret=s3cr3t", "https://x.example.com/hook?api_key=abc",
                "postgres://app:hunter2@db:5432/app")).allMatch(ComposeBackends::looksSecret);
        assertThat(List.of("https://auth.example.com/realms/example/protocol/openid-connect/token",
                "https://x.example.com/search?key", "https://x.example.com/?page=2")).noneMatch(ComposeBackends::looksSecret);
    }
}
