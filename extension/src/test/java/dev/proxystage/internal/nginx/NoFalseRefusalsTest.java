package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.Problem.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configurations nginx accepts, shaped as real projects write them: ProxyStage must accept them too. */
class NoFalseRefusalsTest {

    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private List<String> problems(NginxConfig config, Set<String> backends) {
        return StagePlanCheck.check(config, "prep", Set.of("prep"), backends).stream()
                .map(p -> p.severity() + " " + p).toList();
    }

    @Test
    void everyServerInTheMainConfigAndAnEmptyConfDIsAccepted() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Path main = write("nginx.conf", """
                events {}
                http {
                    include /etc/nginx/conf.d/*.conf;
                    server {
                        listen 80;
                        location / { proxy_pass http://app:8080; }
                    }
                }
                """);
        NginxConfig config = NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(main));

        assertThat(config.servers()).hasSize(1);
        assertThat(config.listenPorts()).containsExactly(80);
        assertThat(problems(config, Set.of("app"))).isEmpty();
    }

    @Test
    void anEmptyConfDWithoutAMainConfigIsOneWarningNotAnError() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        write("conf.d/README.txt", "nothing here\n");
        NginxConfig config = NginxConfig.parse(dir.resolve("conf.d"));

        assertThat(problems(config, Set.of())).containsExactly("WARNING " + dir.resolve("conf.d") + ": conf.d has no"
                + " *.conf files, so nginx runs with no server block; nginx starts and serves nothing, so the stage"
                + " has nothing to test");
    }

    @Test
    void aMainConfigWithAnEmptyHttpBlockIsOneWarningAtTheMainConfig() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Path main = write("nginx.conf", "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n");
        NginxConfig config = NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(main));

        assertThat(Readiness.check(config)).singleElement().satisfies(p -> {
            assertThat(p.severity()).isEqualTo(Severity.WARNING);
            assertThat(p.file()).isEqualTo(main);
            assertThat(p.message()).startsWith("neither nginx.conf nor anything it includes has a server block");
        });
    }

    @Test
    void aGlobIncludeIntoADirectoryNothingPlacesIncludesNothing() throws IOException {
        write("conf.d/app.conf", """
                server {
                    listen 80;
                    include /etc/app/extra-locations/*.conf;
                    location / { proxy_pass http://app:8080; }
                }
                """);
        NginxConfig config = NginxConfig.parse(dir.resolve("conf.d"));

        assertThat(config.servers()).singleElement().satisfies(s -> assertThat(s.locations()).hasSize(1));
        assertThat(problems(config, Set.of("app"))).isEmpty();
    }

    @Test
    void aPlainIncludeNothingPlacesIsNginxsOpenFailure() throws IOException {
        Path app = write("conf.d/app.conf", "server {\n    listen 80;\n    include /etc/x.conf;\n}\n");

        NginxConfigException e = Assertions.assertThrows(NginxConfigException.class,
                () -> NginxConfig.parse(dir.resolve("conf.d")));

        assertThat(e.file()).isEqualTo(app);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.detail()).startsWith("open() \"/etc/x.conf\" failed (2: No such file or directory): nothing"
                + " places it in the nginx container");
    }

    static final String LOOPBACK_LISTENER = """
            server {
                listen 127.0.0.1:65510;
                location / { proxy_pass http://app:8080; }
            }
            server {
                listen 80;
                location /inner { proxy_pass http://127.0.0.1:65510/inner; }
                location /name { proxy_pass http://localhost:65510; }
                location /other { proxy_pass http://127.0.0.1:65511; }
            }
            """;

    @Test
    void aPassToALoopbackListenerOfTheSameConfigurationIsNginxItself() throws IOException {
        Path app = write("conf.d/app.conf", LOOPBACK_LISTENER);

        assertThat(problems(NginxConfig.parse(dir.resolve("conf.d")), Set.of("app"))).containsExactly(
                "WARNING " + app + ":9: host '127.0.0.1' is the nginx container itself, not reachable as a stage"
                        + " backend (no server of this configuration listens on port 65511 there); route to a"
                        + " backend alias");
    }

    @Test
    void whichLoopbackAddressesReachWhichListen() {
        assertThat(Listens.reaches("*", "127.0.0.1")).isTrue();
        assertThat(Listens.reaches("0.0.0.0", "127.0.0.5")).isTrue();
        assertThat(Listens.reaches("127.0.0.1", "127.0.0.1")).isTrue();
        assertThat(Listens.reaches("127.0.0.1", "127.0.0.2")).isFalse();
        assertThat(Listens.reaches("127.0.0.1", "localhost")).isTrue();
        assertThat(Listens.reaches("[::1]", "localhost")).isTrue();
        assertThat(Listens.reaches("[::1]", "127.0.0.1")).isFalse();
        assertThat(Listens.reaches("*", "[::1]")).isFalse();
        assertThat(Listens.reaches("[::]", "[::1]")).isTrue();
        assertThat(Listens.reaches("*", "10.0.0.5")).isFalse();
    }

    @Test
    void daemonOnInTheMainConfigIsOneErrorAndDaemonOffNone() throws IOException {
        write("conf.d/app.conf", "server {\n    listen 80;\n    location / { proxy_pass http://app:8080; }\n}\n");
        Path main = write("nginx.conf", "user nginx;\ndaemon on;\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n");

        assertThat(problems(NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(main)), Set.of("app")))
                .containsExactly("ERROR " + main + ":2: \"daemon on\" makes nginx fork into the background, and its"
                        + " container would stop as soon as it did; remove it (the stage runs nginx in the foreground)");

        write("nginx.conf", "daemon off;\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n");
        assertThat(problems(NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(main)), Set.of("app")))
                .isEmpty();
    }

    @Test
    void onlyPortsSomeListenReachesFromOutsideAreWaitedOn() throws IOException {
        write("conf.d/app.conf", LOOPBACK_LISTENER + """
                server {
                    listen [::1]:8081;
                    listen localhost:8082;
                    listen 127.0.0.1:8443;
                    listen [::]:8443;
                    listen 10.0.0.7:9000;
                }
                """);
        NginxConfig config = NginxConfig.parse(dir.resolve("conf.d"));

        assertThat(config.listenPorts()).containsExactly(80, 8081, 8082, 8443, 9000, 65510);
        assertThat(Readiness.outsidePorts(config)).containsExactly(80, 8443, 9000);
        assertThat(Readiness.check(config)).isEmpty();
    }

    @Test
    void whenNoServerListensOutsideTheContainerOneWarningSaysSo() throws IOException {
        Path app = write("conf.d/app.conf", """
                server {
                    listen 127.0.0.1:65510;
                    location / { proxy_pass http://app:8080; }
                }
                """);
        NginxConfig config = NginxConfig.parse(dir.resolve("conf.d"));

        assertThat(Readiness.outsidePorts(config)).isEmpty();
        assertThat(problems(config, Set.of("app"))).containsExactly("WARNING " + app + ":2: no server listens outside"
                + " the nginx container: every listen is on its loopback (127.0.0.1:65510), which the stage's client"
                + " cannot reach, so the start waits for no port; listen on a port (\"listen 80;\") for the stage to"
                + " test");
    }

    @Test
    void serversOnUnixSocketsAloneAreSaidToListenOnNoTcpPort() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Path main = write("nginx.conf", """
                events {}
                http {
                    server {
                        listen unix:/run/app.sock;
                        location / { proxy_pass http://app:8080; }
                    }
                }
                """);
        NginxConfig config = NginxConfig.parse(ParseRequest.of(dir.resolve("conf.d")).withMainConf(main));

        assertThat(Readiness.check(config)).singleElement().extracting(Problem::message).asString()
                .startsWith("no server listens on a TCP port (only on unix sockets)");
    }
}
