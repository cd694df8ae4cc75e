package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigLoaderTest {

    private static final String PIPELINE = """
            defaultStage: prep
            stages:
              seed: {}
              wip:
                backends:
                  vaultwarden:
                    image: vaultwarden/server:1.33.0
              prep: {}
              ship: {}
              prod: {}
            nginx:
              image: nginx:1.27.3
              confDir: conf.d
            backends:
              vaultwarden:
                image: vaultwarden/server:1.32.7
                port: 80
                health:
                  path: /alive
                  timeout: 45s
                data: /data
                env:
                  SIGNUPS_ALLOWED: "false"
            """;

    @TempDir
    Path dir;

    // Every path pipeline.yml names must exist, conf.d included.
    @BeforeEach
    void confDirs() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.createDirectories(dir.resolve("x"));
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private PipelineConfig load(String content) throws IOException {
        return PipelineConfigLoader.load(write("pipeline.yml", content), Optional.empty());
    }

    private String errorOf(String content) throws IOException {
        Path file = write("pipeline.yml", content);
        return assertThatThrownBy(() -> PipelineConfigLoader.load(file, Optional.empty()))
                .isInstanceOf(ProxyStageException.class)
                .actual().getMessage();
    }

    @Test
    void readsStagesBackendsAndNginx() throws IOException {
        PipelineConfig config = load(PIPELINE);

        assertThat(config.stageNames()).containsExactly("seed", "wip", "prep", "ship", "prod");
        assertThat(config.defaultStage()).contains("prep");
        StageDefinition prep = config.stage("prep");
        assertThat(prep.nginx().image()).isEqualTo("nginx:1.27.3");
        assertThat(prep.nginx().confDir()).isEqualTo(dir.resolve("conf.d"));
        BackendSpec vaultwarden = prep.backend("vaultwarden").orElseThrow();
        assertThat(vaultwarden.alias()).isEqualTo("vaultwarden");
        assertThat(vaultwarden.image()).isEqualTo("vaultwarden/server:1.32.7");
        assertThat(vaultwarden.port()).isEqualTo(80);
        assertThat(vaultwarden.health()).isEqualTo(new HealthCheck("/alive", Duration.ofSeconds(45)));
        assertThat(vaultwarden.dataMount()).contains("/data");
        assertThat(vaultwarden.env()).containsEntry("SIGNUPS_ALLOWED", "false");
        assertThat(prep.echoImage()).isEqualTo(PipelineConfigLoader.DEFAULT_ECHO_IMAGE);
    }

    @Test
    void stageOverridesAreDeepMergedIntoThatStageOnly() throws IOException {
        PipelineConfig config = load(PIPELINE);

        BackendSpec wip = config.stage("wip").backend("vaultwarden").orElseThrow();
        assertThat(wip.image()).isEqualTo("vaultwarden/server:1.33.0");
        // Keys the override does not name keep the base values.
        assertThat(wip.health().path()).isEqualTo("/alive");
        assertThat(wip.env()).containsEntry("SIGNUPS_ALLOWED", "false");
        assertThat(config.stage("prep").backend("vaultwarden").orElseThrow().image()).isEqualTo("vaultwarden/server:1.32.7");
    }

    @Test
    void profileOverlayIsDeepMerged() throws IOException {
        Path file = write("pipeline.yml", PIPELINE);
        write("pipeline-offline.yml", """
                nginx:
                  image: proxystage/nginx:offline
                echo:
                  image: proxystage/jre:17-offline
                backends:
                  vaultwarden:
                    image: echo
                """);

        PipelineConfig config = PipelineConfigLoader.load(file, Optional.of("offline"));

        StageDefinition prep = config.stage("prep");
        assertThat(config.profile()).contains("offline");
        assertThat(prep.nginx().image()).isEqualTo("proxystage/nginx:offline");
        assertThat(prep.nginx().confDir()).isEqualTo(dir.resolve("conf.d"));
        assertThat(prep.echoImage()).isEqualTo("proxystage/jre:17-offline");
        BackendSpec vaultwarden = prep.backend("vaultwarden").orElseThrow();
        assertThat(vaultwarden.isEcho()).isTrue();
        assertThat(vaultwarden.health().path()).isEqualTo("/alive");
        assertThat(vaultwarden.dataMount()).contains("/data");
        // The stage's own override still wins over the profile for that stage.
        assertThat(config.stage("wip").backend("vaultwarden").orElseThrow().image()).isEqualTo("vaultwarden/server:1.33.0");
    }

    @Test
    void stagesMayBeAPlainList() throws IOException {
        PipelineConfig config = load("""
                stages: [wip, prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                """);

        assertThat(config.stageNames()).containsExactly("wip", "prep");
        assertThat(config.stage("wip").backends()).isEmpty();
        assertThat(config.defaultStage()).isEmpty();
    }

    @Test
    void selectPrefersTheExplicitStageThenTheDefault() throws IOException {
        PipelineConfig config = load(PIPELINE);

        assertThat(config.select(Optional.of("ship")).name()).isEqualTo("ship");
        assertThat(config.select(Optional.of(" ")).name()).isEqualTo("prep");
        assertThat(config.select(Optional.empty()).name()).isEqualTo("prep");
    }

    @Test
    void noStageAndNoDefaultSaysHowToChoose() throws IOException {
        PipelineConfig config = load("""
                stages: [wip, prep]
                nginx: {image: nginx:1.27.3, confDir: conf.d}
                """);

        assertThatThrownBy(() -> config.select(Optional.empty()))
                .hasMessage("no stage selected: give @PipelineStage a value, pass -Dproxystage.stage=<stage>, "
                        + "or set defaultStage in pipeline.yml (known: wip, prep)");
    }

    @Test
    void unknownStageListsTheKnownOnes() throws IOException {
        PipelineConfig config = load(PIPELINE);

        assertThatThrownBy(() -> config.stage("prp"))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("stage 'prp' is not in pipeline.yml (known: seed, wip, prep, ship, prod)");
    }

    @Test
    void missingFileNamesThePathItLookedFor() {
        Path missing = dir.resolve("nowhere/pipeline.yml");

        assertThatThrownBy(() -> PipelineConfigLoader.load(missing, Optional.empty()))
                .isInstanceOf(ProxyStageException.class)
                .hasMessageStartingWith("pipeline configuration not found: " + missing.toAbsolutePath());
    }

    @Test
    void missingOverlayNamesItsPath() throws IOException {
        Path file = write("pipeline.yml", PIPELINE);

        assertThatThrownBy(() -> PipelineConfigLoader.load(file, Optional.of("offline")))
                .hasMessage("profile 'offline' selected, but its overlay " + dir.resolve("pipeline-offline.yml")
                        + " does not exist");
    }

    @Test
    void yamlSyntaxErrorGivesFileLineAndColumn() throws IOException {
        String message = errorOf("""
                stages: [wip]
                nginx:
                  image: nginx
                   confDir: x
                """);

        assertThat(message).startsWith(dir.resolve("pipeline.yml") + ":4:").contains("YAML syntax error");
        assertThat(message).doesNotContain("\n");
    }

    @Test
    void unknownKeyNamesItsPathAndLine() throws IOException {
        String message = errorOf(PIPELINE.replace("    port: 80", "    prot: 80"));

        assertThat(message).isEqualTo(dir.resolve("pipeline.yml")
                + ":17:11: unknown key 'backends.vaultwarden.prot' (known: alias, aliases, command, data, entrypoint, env, envFile, faults, health, image, port, ports)");
    }

    @Test
    void unknownTopLevelKey() throws IOException {
        assertThat(errorOf(PIPELINE + "ngnix: {}\n")).endsWith(": unknown key 'ngnix' (known: backends, defaultStage, echo, nginx, probes, stages, tls)");
    }

    @Test
    void missingRequiredImageNamesTheBackend() throws IOException {
        String message = errorOf(PIPELINE.replace("    image: vaultwarden/server:1.32.7\n", ""));

        assertThat(message).isEqualTo(dir.resolve("pipeline.yml") + ":16:5: backends.vaultwarden: missing required key 'image'");
    }

    @Test
    void missingNginxSection() throws IOException {
        assertThat(errorOf("stages: [wip]\n")).endsWith(":1:1: missing required key 'nginx'");
    }

    @Test
    void missingStages() throws IOException {
        assertThat(errorOf("nginx: {image: nginx, confDir: x}\n")).endsWith(":1:1: missing required key 'stages'");
    }

    @Test
    void badPortAndDurationAreExplained() throws IOException {
        assertThat(errorOf(PIPELINE.replace("port: 80", "port: eighty")))
                .endsWith(":17:11: backends.vaultwarden.port must be a port number (1-65535), got 'eighty'");
        assertThat(errorOf(PIPELINE.replace("timeout: 45s", "timeout: soon")))
                .endsWith(":20:16: backends.vaultwarden.health.timeout must be a duration such as 60s, 500ms or 2m, got 'soon'");
    }

    @Test
    void anEchoBackendListensOnItsMainPortThenItsExtraPorts() throws IOException {
        PipelineConfig config = load(PIPELINE.replace("image: vaultwarden/server:1.33.0", "image: echo")
                .replace("image: vaultwarden/server:1.32.7\n    port: 80",
                "image: echo\n    port: 8080\n    ports: [80, 8080, 9090]"));

        BackendSpec echo = config.stage("prep").backend("vaultwarden").orElseThrow();
        assertThat(echo.port()).isEqualTo(8080);
        assertThat(echo.ports()).containsExactly(8080, 80, 9090);
        assertThat(load(PIPELINE).stage("prep").backend("vaultwarden").orElseThrow().ports()).containsExactly(80);
    }

    @Test
    void badPortsAreExplained() throws IOException {
        String echo = PIPELINE.replace("image: vaultwarden/server:1.33.0", "image: echo")
                .replace("image: vaultwarden/server:1.32.7", "image: echo");
        assertThat(errorOf(echo.replace("    port: 80", "    port: 80\n    ports: [80, web]")))
                .endsWith(":18:17: backends.vaultwarden.ports[1] must be a port number (1-65535), got 'web'");
        assertThat(errorOf(echo.replace("    port: 80", "    port: 80\n    ports: 8080")))
                .endsWith(":18:12: backends.vaultwarden.ports must be a non-empty list, e.g. [80, 8080]");
        assertThat(errorOf(PIPELINE.replace("    port: 80", "    port: 80\n    ports: [8080]")))
                .endsWith(":18:12: backends.vaultwarden.ports is for image: echo (another image listens where it listens; "
                        + "name its main port with port)");
    }

    @Test
    void defaultStageMustBeAStage() throws IOException {
        assertThat(errorOf(PIPELINE.replace("defaultStage: prep", "defaultStage: staging")))
                .endsWith(":1:15: defaultStage 'staging' is not one of the stages (seed, wip, prep, ship, prod)");
    }

    @Test
    void twoBackendsCannotShareAnAlias() throws IOException {
        String message = errorOf(PIPELINE + """
                  vaultwarden-next:
                    image: vaultwarden/server:1.33.0
                    alias: vaultwarden
                """);

        assertThat(message).contains("backends.vaultwarden-next uses alias 'vaultwarden', already taken by backend 'vaultwarden'");
    }

    @Test
    void nonUtf8FileIsReported() throws IOException {
        Path file = dir.resolve("pipeline.yml");
        Files.write(file, "stages: [w\u00e9]\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> PipelineConfigLoader.load(file, Optional.empty()))
                .hasMessage(file + ": not valid UTF-8");
    }

    @Test
    void duplicateKeysAreRejected() throws IOException {
        assertThat(errorOf("stages: [wip]\nstages: [prep]\nnginx: {image: n, confDir: x}\n")).endsWith("pipeline.yml:2:1: duplicate key 'stages' (first at line 1)");
    }

    @Test
    void overlayPathFollowsTheFileName() {
        assertThat(PipelineConfigLoader.overlayPath(Path.of("a/pipeline.yml"), "offline")).isEqualTo(Path.of("a/pipeline-offline.yml"));
        assertThat(PipelineConfigLoader.overlayPath(Path.of("ci.yaml"), "x")).isEqualTo(Path.of("ci-x.yaml"));
    }

    @Test
    void tlsSettingsAreRead() throws IOException {
        write("ca.pem", "not parsed here");
        PipelineConfig config = load(PIPELINE + """
                tls:
                  generate: always
                  testNames:
                    '~^(?<app>.+)\\.example\\.com$': vw.example.com
                  trust: [ca.pem]
                """);

        TlsSpec tls = config.stage("prep").tls();
        assertThat(tls.generate()).isEqualTo(TlsSpec.Generate.ALWAYS);
        assertThat(tls.testNames()).containsEntry("~^(?<app>.+)\\.example\\.com$", "vw.example.com");
        assertThat(tls.trust()).containsExactly(dir.resolve("ca.pem"));
        assertThat(load(PIPELINE).stage("prep").tls()).isEqualTo(TlsSpec.DEFAULT);
    }

    @Test
    void badTlsSettingsAreExplained() throws IOException {
        assertThat(errorOf(PIPELINE + "tls: {generate: sometimes}\n"))
                .endsWith(": tls.generate must be 'auto' or 'always', got 'sometimes'");
        assertThat(errorOf(PIPELINE + "tls: {trust: [missing.pem]}\n"))
                .endsWith(": tls.trust[0]: " + dir.resolve("missing.pem") + " does not exist");
    }

    @Test
    void dataIsAFreshVolumeByDefaultAndReadOnlyOnProd() throws IOException {
        PipelineConfig config = load(PIPELINE);

        DataSpec prep = config.stage("prep").backend("vaultwarden").orElseThrow().data().orElseThrow();
        assertThat(prep).isEqualTo(new DataSpec("/data", Optional.empty(), Optional.empty(), false));
        assertThat(config.stage("prod").backend("vaultwarden").orElseThrow().data().orElseThrow().readOnly()).isTrue();
    }

    @Test
    void persistedDataLivesUnderTheDataRootPerStage() throws IOException {
        Files.writeString(dir.resolve("pipeline.yml"), PIPELINE.replace("    data: /data", "    data: {mount: /data, persist: true}"));
        Settings settings = Settings.from(
                name -> name.equals("proxystage.dataRoot") ? Optional.of(dir.resolve("root").toString()) : Optional.empty());
        PipelineConfig config = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty(),
                new PipelineConfigLoader.Options(settings.persist(), settings.dataRoot()));

        assertThat(config.stage("wip").backend("vaultwarden").orElseThrow().data().orElseThrow().hostDir())
                .contains(dir.resolve("root/vaultwarden-wip"));
        assertThat(config.stage("prep").backend("vaultwarden").orElseThrow().data().orElseThrow().hostDir())
                .contains(dir.resolve("root/vaultwarden-prep"));
    }

    @Test
    void faultsPutTheFaultProxyInABackendsPathOnlyWhenAskedFor() throws IOException {
        PipelineConfig plain = load(PIPELINE);
        BackendSpec without = plain.stage("prep").backend("vaultwarden").orElseThrow();
        assertThat(without.faults()).isFalse();
        assertThat(without.containerAlias()).isEqualTo("vaultwarden");

        PipelineConfig asked = load(PIPELINE.replace("    port: 80\n", "    port: 80\n    faults: true\n"));
        BackendSpec with = asked.stage("prep").backend("vaultwarden").orElseThrow();
        assertThat(with.faults()).isTrue();
        assertThat(with.containerAlias()).isEqualTo("vaultwarden--origin");
        assertThat(with.alias()).isEqualTo("vaultwarden");

        Files.writeString(dir.resolve("pipeline.yml"), PIPELINE);
        PipelineConfig everywhere = PipelineConfigLoader.load(dir.resolve("pipeline.yml"), Optional.empty(),
                new PipelineConfigLoader.Options(false, dir.resolve("data"), true));
        assertThat(everywhere.stage("wip").backend("vaultwarden").orElseThrow().faults()).isTrue();
        assertThat(everywhere.stage("prep")).as("a different definition: not shared with a stage without faults")
                .isNotEqualTo(plain.stage("prep"));
    }

    @Test
    void faultsMustBeABooleanAndLeaveRoomForTheOriginAlias() throws IOException {
        assertThat(errorOf(PIPELINE.replace("    port: 80\n", "    port: 80\n    faults: sometimes\n")))
                .endsWith("pipeline.yml:18:13: backends.vaultwarden.faults must be true or false, got 'sometimes'");
        String alias = "a".repeat(60);
        assertThat(errorOf(PIPELINE.replace("    port: 80\n", "    port: 80\n    alias: " + alias + "\n    faults: true\n")))
                .matches(".*pipeline\\.yml:\\d+:\\d+: backends\\.vaultwarden: with the fault proxy in its path the backend answers as '"
                        + alias + "--origin', longer than a host name may be \\(63\\); shorten alias '" + alias
                        + "' to at most 55 characters(\\n.*)*");
    }

    @Test
    void aTestStageCannotMountProdsData() throws IOException {
        String message = errorOf(PIPELINE
                .replace("  prod: {}", "  prod:\n    backends:\n      vaultwarden:\n        data: {mount: /data, hostPath: /srv/vaultwarden-prod}")
                .replace("        image: vaultwarden/server:1.33.0", "        image: vaultwarden/server:1.33.0\n        data: {mount: /data, hostPath: /srv/vaultwarden-prod/db}"));

        assertThat(message).contains("vaultwarden@prod and vaultwarden@wip would share the data directory")
                .endsWith("test stages never touch production data");
    }

    @Test
    void badDataSettingsAreExplained() throws IOException {
        assertThat(errorOf(PIPELINE.replace("    data: /data", "    data: data"))).endsWith(
                ": backends.vaultwarden.data must name an absolute container path, e.g. /data");
        assertThat(errorOf(PIPELINE.replace("    data: /data", "    data: {mount: /data, persist: maybe}"))).endsWith(
                ": backends.vaultwarden.data.persist must be true or false, got 'maybe'");
        assertThat(errorOf(PIPELINE.replace("    data: /data", "    data: {mount: /data, seedFrom: nowhere}"))).endsWith(
                ": backends.vaultwarden.data.seedFrom: " + dir.resolve("nowhere") + " is not a directory");
    }

    @Test
    void secretsComeFromTheEnvironmentAndAreNeverPrinted() throws IOException {
        String home = System.getenv("HOME");
        PipelineConfig config = load(PIPELINE.replace("SIGNUPS_ALLOWED: \"false\"", "ADMIN_TOKEN: ${env:HOME}"));

        BackendSpec vaultwarden = config.stage("prep").backend("vaultwarden").orElseThrow();
        assertThat(vaultwarden.env()).containsEntry("ADMIN_TOKEN", home);
        assertThat(vaultwarden.secretValues()).containsExactly(home);
        assertThat(vaultwarden.maskedEnv()).containsEntry("ADMIN_TOKEN", "****");
        assertThat(vaultwarden.toString()).contains("ADMIN_TOKEN=****").doesNotContain("ADMIN_TOKEN=" + home);
    }

    @Test
    void aMissingSecretNamesTheVariable() throws IOException {
        assertThat(errorOf(PIPELINE.replace("SIGNUPS_ALLOWED: \"false\"", "ADMIN_TOKEN: ${env:PROXYSTAGE_NOT_SET_ANYWHERE}")))
                .endsWith(":23:20: backends.vaultwarden.env.ADMIN_TOKEN takes the environment variable PROXYSTAGE_NOT_SET_ANYWHERE, which is not set");
    }

    @Test
    void probeSuppressionsNeedAReason() throws IOException {
        assertThat(load(PIPELINE + "probes: {suppress: {version-disclosure: vendor image}}\n").stage("prep").probeSuppressions())
                .containsEntry("version-disclosure", "vendor image");
        assertThat(errorOf(PIPELINE + "probes: {suppress: {plain-http: \"\"}}\n"))
                .contains("probes.suppress.plain-http needs a reason");
    }

    @Test
    void aMainConfigIsOptionalAndMustExist() throws IOException {
        write("nginx.conf", "events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n");
        PipelineConfig config = load(PIPELINE.replace("  confDir: conf.d", "  confDir: conf.d\n  mainConfig: nginx.conf"));

        assertThat(config.stage("prep").nginx().mainConfig()).contains(dir.resolve("nginx.conf"));
        assertThat(load(PIPELINE).stage("prep").nginx().mainConfig()).isEmpty();
        assertThat(errorOf(PIPELINE.replace("  confDir: conf.d", "  confDir: conf.d\n  mainConfig: missing.conf")))
                .endsWith(": nginx.mainConfig: " + dir.resolve("missing.conf") + " does not exist");
    }

    @Test
    void thirdPartyModulesAreAnOptionalListOfNames() throws IOException {
        PipelineConfig config = load(PIPELINE.replace("  confDir: conf.d", "  confDir: conf.d\n  modules: [headers-more, geoip2]"));

        assertThat(config.stage("prep").nginx().modules()).containsExactly("headers-more", "geoip2");
        assertThat(load(PIPELINE).stage("prep").nginx().modules()).isEmpty();
        assertThat(errorOf(PIPELINE.replace("  confDir: conf.d", "  confDir: conf.d\n  modules: headers-more")))
                .endsWith(": nginx.modules must be a list of module names, e.g. [headers-more]");
        assertThat(errorOf(PIPELINE.replace("  confDir: conf.d", "  confDir: conf.d\n  modules: [\"\"]")))
                .endsWith(" is an empty module name");
    }
}
