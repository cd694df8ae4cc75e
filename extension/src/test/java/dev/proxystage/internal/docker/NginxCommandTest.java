package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx runs in the foreground with {@code -g 'daemon off;'}, unless the main nginx.conf says {@code daemon} itself:
 * nginx refuses a directive set twice. Starting, {@code nginx -t} and a reload's test use the same command line.
 */
class NginxCommandTest {

    @TempDir
    Path dir;

    private NginxConfig config(String main) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/app.conf"), "server { listen 80; }\n");
        ParseRequest request = ParseRequest.of(dir.resolve("conf.d"));
        if (main != null) {
            Files.writeString(dir.resolve("nginx.conf"), main);
            request = request.withMainConf(dir.resolve("nginx.conf"));
        }
        return NginxConfig.parse(request);
    }

    @Test
    void withoutDaemonInTheConfigurationTheCommandLineSaysDaemonOff() throws IOException {
        NginxConfig config = config("events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n");

        assertThat(NginxFiles.startCommand(config)).isEqualTo("nginx -t -q -g 'daemon off;'\nexec nginx -g 'daemon off;'");
        assertThat(NginxTestRun.testThenStart(NginxFiles.globals(config)))
                .startsWith("nginx -t -g 'daemon off;' 2>&1 || exit 1\n").contains("\nnginx -g 'daemon off;' 2>");
        assertThat(NginxFiles.startCommand(config(null))).endsWith("exec nginx -g 'daemon off;'");
    }

    @Test
    void aMainConfigThatSaysDaemonOffGetsNoSecondOne() throws IOException {
        NginxConfig config = config("daemon off;\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n");

        assertThat(NginxFiles.startCommand(config)).isEqualTo("nginx -t -q\nexec nginx");
        assertThat(NginxTestRun.testThenStart(NginxFiles.globals(config)))
                .startsWith("nginx -t 2>&1 || exit 1\n").contains("\nnginx 2>");
        assertThat(new NginxReload(null, null, Set.of(), Optional.empty())
                .script("/proxystage/next-1", NginxFiles.globals(config))).contains("if ! nginx -t -q 2>");
        assertThat(new NginxReload(null, null, Set.of(), Optional.empty())
                .script("/proxystage/next-1", NginxFiles.globals(config(null))))
                .contains("if ! nginx -t -q -g 'daemon off;' 2>");
    }
}
