package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.cli.UpProcess.Curl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * {@code up --watch} as a user runs it, on a copy of the fixture pipeline {@code cli/good}: a new server block
 * with a new name and certificate path answers once its line is printed; a broken edit (ours to find, then only
 * nginx's) is rejected with the host file:line while the previous configuration keeps answering; the next good
 * edit applies; an edit of pipeline.yml gets one line saying it is not applied; the backend is never restarted.
 */
class CliWatchIT {

    private static final Duration EDIT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path project;

    @Test
    void editsAreReloadedLiveBrokenOnesRejectedWithTheHostFileAndLine() throws Exception {
        CliRun.copyFixture("good", project);
        Path watched = project.resolve("conf.d/watched.conf");

        try (UpProcess up = UpProcess.start("--config", project.resolve("pipeline.yml").toString(), "--stage", "prep",
                "--profile", "offline", "--watch")) {
            List<String> printed = up.awaitReady();
            assertThat(printed).contains("watching " + project.resolve("conf.d") + " for changes");
            Path pipeline = project.resolve("pipeline.yml");
            assertThat(printed).contains("watching " + pipeline + " and " + project.resolve("pipeline-offline.yml")
                    + " for changes to stage prep's definition");
            String vw = printed.stream().filter(l -> l.startsWith("curl ") && l.endsWith(" https://vw.example.com/"))
                    .findFirst().orElseThrow();
            String backendStarted = startedAt("vaultwarden-prep-" + up.runId);

            // A new file: a new server name, a new certificate path, issued by the run's CA before the reload.
            Files.writeString(watched, site("generation 1"));
            assertThat(up.await(l -> l.startsWith("reloaded"), EDIT_TIMEOUT, "a reload line"))
                    .matches("reloaded in \\d+ ms \\(conf\\.d/watched\\.conf changed\\)");
            // "reloaded" means the new configuration answers: no waiting here.
            assertThat(curl(vw, "new.example.com")).isEqualTo("200 generation 1");

            // Broken for ProxyStage's own checks: the unclosed block is reported at the host file.
            Files.writeString(watched, "server {\n    listen 443 ssl;\n    server_name new.example.com;\n");
            String parse = up.await(l -> l.startsWith("reloaded") || l.startsWith("rejected"), EDIT_TIMEOUT, "a reload line");
            assertThat(parse).startsWith("rejected: " + watched + ":")
                    .endsWith("; still serving the previous configuration");
            assertThat(curl(vw, "new.example.com")).isEqualTo("200 generation 1");

            // Mended: the served configuration again (nothing else would pass the checks while this file is broken).
            Files.writeString(watched, site("generation 1"));
            assertThat(up.await(l -> l.startsWith("reloaded"), EDIT_TIMEOUT, "a reload line"))
                    .matches("reloaded in \\d+ ms \\(conf\\.d/watched\\.conf changed\\)");

            // Broken only for nginx (an unknown directive, in a file of its own): nginx -t's words, host file:line first.
            Path broken = project.resolve("conf.d/broken.conf");
            Files.writeString(broken, "server {\n    listen 80;\n    server_name broken.example.com;\n    retrun 200;\n}\n");
            String nginxT = up.await(l -> l.startsWith("reloaded") || l.startsWith("rejected"), EDIT_TIMEOUT, "a reload line");
            assertThat(nginxT).startsWith("rejected: " + broken + ":4: unknown directive \"retrun\"")
                    .doesNotContain("/etc/nginx/conf.d")
                    .endsWith("; still serving the previous configuration");
            assertThat(curl(vw, "new.example.com")).isEqualTo("200 generation 1");
            assertThat(curl(vw, "vw.example.com")).startsWith("200 ");

            // Removing the broken file is the next good edit; nothing of the rejected attempt lingers.
            Files.delete(broken);
            assertThat(up.await(l -> l.startsWith("reloaded"), EDIT_TIMEOUT, "a reload line"))
                    .matches("reloaded in \\d+ ms \\(conf\\.d/broken\\.conf changed\\)");

            // And so is an edit of the first file.
            Files.writeString(watched, site("generation 2"));
            assertThat(up.await(l -> l.startsWith("reloaded"), EDIT_TIMEOUT, "a reload line"))
                    .matches("reloaded in \\d+ ms \\(conf\\.d/watched\\.conf changed\\)");
            assertThat(curl(vw, "new.example.com")).isEqualTo("200 generation 2");

            // Removing the file is an edit too: the name is gone, the default server answers.
            Files.delete(watched);
            assertThat(up.await(l -> l.startsWith("reloaded"), EDIT_TIMEOUT, "a reload line"))
                    .matches("reloaded in \\d+ ms \\(conf\\.d/watched\\.conf changed\\)");
            assertThat(curl(vw, "vw.example.com")).startsWith("200 ");

            // pipeline.yml is not reloaded live: one line says the stage now differs from it, and it keeps serving.
            Files.writeString(pipeline, Files.readString(pipeline).replace("    data: /data\n",
                    "    data: /data\n    env:\n      SIGNUPS_ALLOWED: \"false\"\n"));
            assertThat(up.await(l -> l.startsWith("pipeline.yml "), EDIT_TIMEOUT, "a pipeline line"))
                    .startsWith("pipeline.yml changed stage prep's definition, which up does not reload:");
            assertThat(curl(vw, "vw.example.com")).startsWith("200 ");

            assertThat(startedAt("vaultwarden-prep-" + up.runId)).as("the backend was not restarted").isEqualTo(backendStarted);
        }
    }

    private static String site(String body) {
        return "server {\n"
                + "    listen 443 ssl;\n"
                + "    server_name new.example.com;\n"
                + "    ssl_certificate     /etc/nginx/certs/new.example.com.crt;\n"
                + "    ssl_certificate_key /etc/nginx/certs/new.example.com.key;\n"
                + "    location / {\n"
                + "        return 200 \"" + body + "\";\n"
                + "    }\n"
                + "}\n";
    }

    /** The printed curl line for vw.example.com, sent to {@code host} instead: "status body". */
    private static String curl(String vwLine, String host) throws Exception {
        Curl answer = UpProcess.curl(vwLine.replace("vw.example.com", host));
        assertThat(answer.exitCode()).as(answer.toString()).isZero();
        return answer.status() + " " + answer.body();
    }

    private static String startedAt(String container) {
        return DockerClientFactory.instance().client().inspectContainerCmd(container).exec().getState().getStartedAt();
    }
}
