package dev.proxystage.internal.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxTestTest {

    @Test
    void aLineWithoutPlaceIsPlacedAtTheOneDirectiveWithTheQuotedPath(@TempDir Path dir) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("a.conf"), "server {\n    listen 80;\n    ssl_dhparam /etc/nginx/dh.pem;\n}\n");
        NginxConfig config = NginxConfig.parse(ParseRequest.of(confD));

        String located = NginxTest.locateQuotedPaths(
                "nginx: [emerg] BIO_new_file(\"/etc/nginx/dh.pem\") failed (SSL: no such file)\n"
                        + "nginx: configuration file /etc/nginx/nginx.conf test failed\n", config);

        assertThat(located.lines().findFirst().orElseThrow())
                .endsWith("failed (SSL: no such file) in " + confD.resolve("a.conf") + ":3");
        assertThat(located).contains("test failed\n");
        // The error log's form, as the official image's nginx.conf sends errors after the parse there.
        assertThat(NginxTest.locateQuotedPaths("2026/12/07 09:10:00 [emerg] 1#1: BIO_new_file(\"/etc/nginx/dh.pem\") failed\n",
                config)).isEqualTo("2026/12/07 09:10:00 [emerg] 1#1: BIO_new_file(\"/etc/nginx/dh.pem\") failed in "
                + confD.resolve("a.conf") + ":3\n");
    }

    @Test
    void aLineWithAPlaceOrWithoutAKnownPathStaysAsItIs(@TempDir Path dir) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("a.conf"), "server {\n    listen 80;\n}\n");
        NginxConfig config = NginxConfig.parse(ParseRequest.of(confD));
        String output = "nginx: [emerg] unknown directive \"x\" in /etc/nginx/conf.d/a.conf:2\n"
                + "nginx: [emerg] open() \"/nowhere\" failed (2: No such file or directory)\n";

        assertThat(NginxTest.locateQuotedPaths(output, config)).isEqualTo(output);
    }
}
