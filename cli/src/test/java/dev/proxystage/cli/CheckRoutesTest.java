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
    void aHostUnderInvalidAsksForThePortsDefaultServerEvenWhenNoneIsMarked() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/app.conf"),
                "server {\n    listen 80;\n    location / {\n        proxy_pass http://app:80;\n    }\n}\n");
        Path pipeline = Files.writeString(dir.resolve("pipeline.yml"),
                "stages: {prep: {}}\nnginx: {image: nginx:1.27.3, confDir: conf.d}\nbackends: {app: {image: echo}}\n");
        Path table = Files.writeString(dir.resolve("routes.yml"), "routes:\n"
                + "  - request: GET http://default.proxystage.invalid/\n    expect: {backend: app}\n"
                + "  - request: GET http://nobody.example.com/\n    expect: {backend: app}\n");

        CliRun run = CliRun.of("check", "--config", pipeline.toString(), "--routes", table.toString(), "--static");

        assertThat(run.outLines()).as(run.toString()).containsExactly(table + ":4:5: route"
                + " 'GET http://nobody.example.com/': no server block serves host nobody.example.com on port 80 in stage prep");
    }

    @Test
    void aBrokenTableIsOneFinding() throws IOException {
        Path table = Files.writeString(dir.resolve("routes.yml"), "routes:\n  - request: GET https://vw.example.com/\n    expect: 200\n");

        CliRun run = CliRun.of("check", "--config", PIPELINE, "--stage", "prep", "--routes", table.toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out().strip()).isEqualTo(table + ":3:13: routes[0].expect must be a map");
    }

    /** conf.d with a TLS-only port, a plain port and a port some servers use with ssl and others without. */
    private Path tlsProject() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/vw.conf"), """
                server {
                    listen 443 ssl;
                    server_name vw.example.com;
                    ssl_certificate /etc/nginx/certs/vw.pem;
                    ssl_certificate_key /etc/nginx/certs/vw.key;
                    location / {
                        proxy_pass http://vaultwarden:80;
                    }
                }
                server {
                    listen 80;
                    server_name vw.example.com;
                    return 301 https://$host$request_uri;
                }
                server {
                    listen 8443 ssl;
                    server_name vw.example.com;
                    ssl_certificate /etc/nginx/certs/vw.pem;
                    ssl_certificate_key /etc/nginx/certs/vw.key;
                }
                server {
                    listen 127.0.0.1:8443;
                    server_name local.example.com;
                }
                """);
        return Files.writeString(dir.resolve("pipeline.yml"),
                "stages: {prep: {}}\nnginx: {image: nginx:1.27.3, confDir: conf.d}\nbackends: {vaultwarden: {image: echo}}\n");
    }

    @Test
    void aSchemeThePortDoesNotSpeakIsAnErrorAtTheUrl() throws IOException {
        Path pipeline = tlsProject();
        Path table = Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - request: GET http://vw.example.com:443/
                  - request:
                      url: wss://vw.example.com/ws
                  - request: GET https://vw.example.com:80/
                  - request:
                      url: ws://vw.example.com:443/ws
                  - request: GET https://vw.example.com/
                  - request: GET http://vw.example.com/
                  - request: GET http://vw.example.com:8443/
                  - request: GET https://vw.example.com:8443/
                """);

        CliRun run = CliRun.of("check", "--config", pipeline.toString(), "--routes", table.toString());

        String listen443 = dir.resolve("conf.d/vw.conf") + ":2";
        String listen80 = dir.resolve("conf.d/vw.conf") + ":11";
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out().lines()).containsExactly(
                table + ":2:14: route 'GET http://vw.example.com:443/': http:// to port 443, where nginx listens only with"
                        + " ssl (" + listen443 + ") in stage prep; nginx would answer 400 to a plain request there; use https://",
                table + ":5:14: route 'GET https://vw.example.com:80/': https:// to port 80, where nginx listens without"
                        + " ssl (" + listen80 + ") in stage prep; the TLS handshake would fail; use http://",
                table + ":7:12: route 'GET ws://vw.example.com:443/ws': ws:// to port 443, where nginx listens only with"
                        + " ssl (" + listen443 + ") in stage prep; nginx would answer 400 to a plain request there; use wss://");
        assertThat(run.err()).contains("check: 3 errors");
    }

    /** What a large estate gives init: one server block per application, each with its own name. */
    @Test
    void theTableInitWritesForTenThousandServerNamesPassesCheck() throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        StringBuilder conf = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            conf.append("server {\n    listen 80;\n    server_name app").append(i).append(".example.com;\n")
                    .append("    location / {\n        proxy_pass http://app:80;\n    }\n}\n");
        }
        Files.writeString(confD.resolve("apps.conf"), conf);
        CliRun init = CliRun.of("init", "--conf-d", confD.toString(), "--out", dir.toString());
        assertThat(init.exitCode()).as(init.toString()).isEqualTo(Main.OK);
        assertThat(Files.size(dir.resolve("routes.yml"))).isGreaterThan(256 * 1024);

        CliRun check = CliRun.of("check", "--config", dir.resolve("pipeline.yml").toString(), "--stage", "prep");

        assertThat(check.exitCode()).as(check.toString()).isEqualTo(Main.OK);
        assertThat(check.out()).isEmpty();
        assertThat(check.err()).isEqualTo(CliRun.STATIC_ONLY + "check: ok (stage prep)\n");
    }
}
