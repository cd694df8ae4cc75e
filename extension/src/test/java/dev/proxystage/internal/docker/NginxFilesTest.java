package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.NginxSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the nginx container receives: nginx.files may name a single file as well as a directory. */
class NginxFilesTest {

    @TempDir
    Path dir;

    @Test
    void aSingleFileOfNginxFilesIsStagedAtItsContainerPath() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/app.conf"), "server { listen 80; }\n");
        Files.createDirectories(dir.resolve("certs"));
        Files.writeString(dir.resolve("certs/dhparams.pem"), "-----BEGIN DH PARAMETERS-----\n");
        Files.createDirectories(dir.resolve("snippets"));
        Files.writeString(dir.resolve("snippets/proxy.conf"), "proxy_http_version 1.1;\n");
        NginxSpec spec = new NginxSpec("nginx:1.27.3", dir.resolve("conf.d"), Map.of(
                "/etc/nginx/dhparams.pem", dir.resolve("certs/dhparams.pem"),
                "/config/nginx", dir.resolve("snippets")), Optional.empty());

        Map<String, String> entries = entries(StageContainer.tar(NginxFiles.archive(spec, Map.of(), Optional.empty(), "true")));

        assertThat(entries).containsEntry(NginxFiles.STAGING + "/etc/nginx/dhparams.pem", "-----BEGIN DH PARAMETERS-----\n")
                .containsEntry(NginxFiles.STAGING + "/config/nginx/proxy.conf", "proxy_http_version 1.1;\n")
                .containsEntry(NginxFiles.STAGING + "/etc/nginx/conf.d/app.conf", "server { listen 80; }\n");
    }

    private static Map<String, String> entries(byte[] tar) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.isFile()) {
                    files.put("/" + e.getName().replaceFirst("^/+", ""), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }
}
