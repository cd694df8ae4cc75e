package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --routes}: the route table against pipeline.yml and conf.d, without Docker. */
class CheckRoutesTest {

    private static final String PIPELINE = "../example-tests/pipeline.yml";

    @TempDir
    Path dir;

    @Test
    void theExamplesTableBesideItsPipelineIsCheckedByDefaultAndPasses() {
        CliRun run = CliRun.of("check", "--config", PIPELINE, "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnservedHostAnUnknownAliasAndAnUnknownStageEachGetTheirTablesFileLineAndColumn() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        // no default_server: a host no server_name matches is served by no block of the user's
        Files.writeString(dir.resolve("conf.d/vw.conf"),
                "server {\n    listen 80;\n    server_name vw.example.com;\n    location / {\n        proxy_pass http://vaultwarden:80;\n    }\n}\n");
        Path pipeline = Files.writeString(dir.resolve("pipeline.yml"),
                "stages: {prep: {}}\nnginx: {image: nginx:1.27.3, confDir: conf.d}\nbackends: {vaultwarden: {image: echo}}\n");
        Path table = Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - request: GET http://nobody.example.com/
                  - request: GET http://vw.example.com:8080/
                  - request: GET http://vw.example.com/
                    expect: {backend: vaultwardne}
                  - request: GET http://vw.example.com/
                    stages: {staging: {skip: true}}
                """);

        CliRun run = CliRun.of("check", "--config", pipeline.toString(), "--routes", table.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out().lines()).containsExactly(
                table + ":7:23: route 'GET http://vw.example.com/' names stage 'staging', which pipeline.yml does not have"
                        + " (known: prep)",
                table + ":2:5: route 'GET http://nobody.example.com/': no server block serves host nobody.example.com on port 80"
                        + " in stage prep",
                table + ":3:5: route 'GET http://vw.example.com:8080/': no server block listens on port 8080 in stage prep"
                        + " (conf.d listens on [80])",
                table + ":5:23: route 'GET http://vw.example.com/' expects backend 'vaultwardne', which is not a backend alias"
                        + " of stage prep (aliases: vaultwarden)");
        assertThat(run.err()).contains("check: 4 errors");
    }

    @Test
    void aRoutesFaultMustNameABackendOfTheStageThatHasWhatTheFaultNeeds() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/vw.conf"),
                "server {\n    listen 80;\n    server_name vw.example.com;\n    location / {\n        proxy_pass http://vaultwarden:80;\n    }\n}\n");
        Path pipeline = Files.writeString(dir.resolve("pipeline.yml"),
                "stages: {prep: {}}\nnginx: {image: nginx:1.27.3, confDir: conf.d}\nbackends: {vaultwarden: {image: echo}}\n");
        Path table = Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - request: GET http://vw.example.com/
                    fault: {backend: vaultwarden, hang: true}
                    expect: {status: 504}
                  - request: GET http://vw.example.com/
                    fault: {backend: vaultwarden, down: true}
                  - request: GET http://vw.example.com/
                    fault: {backend: vw, hang: true}
                """);

        CliRun run = CliRun.of("check", "--static", "--config", pipeline.toString(), "--routes", table.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out().lines()).containsExactly(
                table + ":6:12: route 'GET http://vw.example.com/': fault 'down' needs the fault proxy in the path of"
                        + " backend 'vaultwarden' of stage prep: add 'faults: true' to backends.vaultwarden in pipeline.yml",
                table + ":8:12: route 'GET http://vw.example.com/': fault.backend 'vw' is not a backend of stage prep"
                        + " (backends: vaultwarden)");
    }

    @Test
    void anUnknownHostThatADefaultServerAnswersIsNoProblem() throws IOException {
        Path table = Files.writeString(dir.resolve("routes.yml"), "routes:\n  - request: GET https://nobody.example.com/\n    expect: {status: 404}\n");

        CliRun run = CliRun.of("check", "--config", PIPELINE, "--stage", "prep", "--routes", table.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
    }

    @Test
    void aBrokenTableIsOneFinding() throws IOException {
        Path table = Files.writeString(dir.resolve("routes.yml"), "routes:\n  - request: GET https://vw.example.com/\n    expect: 200\n");

        CliRun run = CliRun.of("check", "--config", PIPELINE, "--stage", "prep", "--routes", table.toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out().strip()).isEqualTo(table + ":3:13: routes[0].expect must be a map");
    }
}
