package dev.proxystage.internal.nginx;

import dev.proxystage.ProxyStageException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParseRequestTest {

    private final Path confD = Path.of("/home/me/proxy/conf.d");

    @Test
    void defaultsAreTheOfficialImage() {
        ParseRequest r = ParseRequest.of(confD);
        assertThat(r.prefix()).isEqualTo("/etc/nginx");
        assertThat(r.confDContainerPath()).isEqualTo("/etc/nginx/conf.d");
        assertThat(r.mainConf()).isEmpty();
        assertThat(r.mainConfContainerPath()).isEqualTo("/etc/nginx/nginx.conf");
        assertThat(r.hostPathOf("/etc/nginx/nginx.conf")).isEmpty();
    }

    @Test
    void theLongestMappedContainerDirectoryWins() {
        ParseRequest r = ParseRequest.of(confD).withFiles(Map.of(
                "/etc/nginx", Path.of("/home/me/proxy/etc"),
                "/config/nginx/", Path.of("/home/me/proxy/nginx")));
        assertThat(r.hostPathOf("/etc/nginx/conf.d/a.conf")).contains(confD.resolve("a.conf"));
        assertThat(r.hostPathOf("/etc/nginx/snippets/ssl.conf")).contains(Path.of("/home/me/proxy/etc/snippets/ssl.conf"));
        assertThat(r.hostPathOf("snippets/ssl.conf")).contains(Path.of("/home/me/proxy/etc/snippets/ssl.conf"));
        assertThat(r.hostPathOf("/config/nginx/proxy.conf")).contains(Path.of("/home/me/proxy/nginx/proxy.conf"));
        assertThat(r.hostPathOf("/config/nginxx/proxy.conf")).isEmpty();
        assertThat(r.hostPathOf("/config")).isEmpty();
    }

    @Test
    void aCustomPrefixAndConfDMount() {
        ParseRequest r = ParseRequest.of(confD).withPrefix("/usr/local/nginx/conf")
                .withConfDContainerPath("/usr/local/nginx/conf/sites");
        assertThat(r.containerPath("sites/a.conf")).isEqualTo("/usr/local/nginx/conf/sites/a.conf");
        assertThat(r.hostPathOf("sites/a.conf")).contains(confD.resolve("a.conf"));
        assertThat(r.mainConfContainerPath()).isEqualTo("/usr/local/nginx/conf/nginx.conf");
    }

    @Test
    void rejectsRelativeContainerPaths() {
        assertThatThrownBy(() -> ParseRequest.of(confD).withFiles(Map.of("config/nginx", Path.of("nginx"))))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("nginx.files key \"config/nginx\" must be an absolute container path");
    }
}
