package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The example (its conf.d and offline profile) copied into a directory, with a drift seeded between wip and prep
 * in one of the two ways a promotion goes wrong: prep reads a conf.d override of its own, or prep runs another
 * version of the backend. Either way prep answers {@code /admin} differently (the drift a gate must catch) and
 * {@code /beta} with 418, which the route table declares on purpose.
 */
final class DriftedExample {

    static final Path EXAMPLE = Path.of("../example-tests").toAbsolutePath().normalize();

    private DriftedExample() {
    }

    /** prep reads conf-prep.d, where nginx itself closes /admin (403) and previews /beta (418); returns pipeline.yml. */
    static Path confDOverride(Path dir) throws IOException {
        copyConfD(dir.resolve("conf.d"));
        Path vaultwarden = copyConfD(dir.resolve("conf-prep.d")).resolve("vaultwarden.conf");
        String conf = Files.readString(vaultwarden);
        assertThat(conf).contains("client_max_body_size 525M;");
        Files.writeString(vaultwarden, conf.replace("client_max_body_size 525M;", """
                client_max_body_size 525M;

                    # prep only: the drift the gate must catch, and a difference the route table declares
                    location /admin { return 403; }
                    location /beta  { return 418; }"""));
        Files.copy(EXAMPLE.resolve("pipeline-offline.yml"), dir.resolve("pipeline-offline.yml"));
        routes(dir, "prep previews the beta page");
        return pipeline(dir, "  prep:\n    nginx: {confDir: conf-prep.d}\n");
    }

    /**
     * prep runs vaultwarden "2": another image of the backend, whose own answers differ (no admin page: 404; /beta:
     * 418). The conf.d is the example's, the same in both stages; returns pipeline.yml.
     */
    static Path backendVersion(Path dir) throws IOException {
        copyConfD(dir.resolve("conf.d"));
        String version2 = "  prep:\n    backends:\n      vaultwarden:\n        image: %s\n"
                + "        command: [sh, -c, \"printf 'events {}\\\\nhttp { server { listen 80; location / { return 200"
                + " vaultwarden-2; } location /admin { return 404; } location /beta { return 418; } } }\\\\n'"
                + " > /tmp/v2.conf && exec nginx -c /tmp/v2.conf -g 'daemon off;'\"]\n";
        Files.writeString(dir.resolve("pipeline-offline.yml"), Files.readString(EXAMPLE.resolve("pipeline-offline.yml"))
                + "\nstages:\n" + version2.formatted("proxystage/nginx:offline"));
        routes(dir, "vaultwarden 2 previews the beta page");
        return pipeline(dir, version2.formatted("nginx:1.27.3"));
    }

    private static Path copyConfD(Path target) throws IOException {
        Files.createDirectories(target);
        try (var files = Files.list(EXAMPLE.resolve("../conf.d").normalize())) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    private static void routes(Path dir, String why) throws IOException {
        Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - name: vaultwarden home
                    request: GET https://vw.example.com/
                    expect: {status: 200, backend: vaultwarden}
                  - name: admin page
                    request: GET https://vw.example.com/admin
                  - name: beta preview
                    request: GET https://vw.example.com/beta
                    stages:
                      prep: {differs: "%s", expect: {status: 418}}
                  - name: a host no server block claims
                    request: GET http://unknown.example.com/
                    expect: {status: 404}
                """.formatted(why));
    }

    private static Path pipeline(Path dir, String prep) throws IOException {
        return Files.writeString(dir.resolve("pipeline.yml"), """
                defaultStage: prep
                stages:
                  wip: {}
                %snginx:
                  image: nginx:1.27.3
                  confDir: conf.d
                backends:
                  vaultwarden:
                    image: vaultwarden/server:1.32.7
                    port: 80
                    health: {path: /alive, timeout: 60s}
                """.formatted(prep));
    }
}
