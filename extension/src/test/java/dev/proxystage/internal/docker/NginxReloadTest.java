package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxReloadTest {

    @TempDir
    Path confD;

    @Test
    void nginxTestsWordsComeBackAsHostFileLineFirst() throws Exception {
        Files.writeString(confD.resolve("app.conf"), "server { listen 80; }\n");
        NginxConfig config = NginxConfig.parse(ParseRequest.of(confD));
        String stderr = "2026/12/01 10:07:03 [emerg] 96#96: unknown directive \"retrun\" in /etc/nginx/conf.d/app.conf:5\n"
                + "nginx: configuration file /etc/nginx/nginx.conf test failed\n";

        assertThat(NginxReload.nginxMessage(stderr, config))
                .isEqualTo(confD.resolve("app.conf") + ":5: unknown directive \"retrun\"");
    }

    @Test
    void linesWithoutAFileKeepTheirWordsAndOtherLevelsSayTheirLevel() {
        assertThat(NginxReload.fileLineFirst("nginx: [emerg] cannot load certificate \"/etc/nginx/certs/x.crt\""))
                .isEqualTo("cannot load certificate \"/etc/nginx/certs/x.crt\"");
        assertThat(NginxReload.fileLineFirst("nginx: [warn] duplicate MIME type \"text/html\" in /etc/nginx/nginx.conf:40"))
                .isEqualTo("/etc/nginx/nginx.conf:40: warn: duplicate MIME type \"text/html\"");
        assertThat(NginxReload.fileLineFirst("something else")).isEqualTo("something else");
    }
}
