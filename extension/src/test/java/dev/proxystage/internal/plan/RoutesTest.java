package dev.proxystage.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.TlsSpec;
import dev.proxystage.internal.nginx.NginxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curl lines {@code up} prints: one per server name and published port, with SNI and Host as in production. */
class RoutesTest {

    @TempDir
    Path dir;

    private static final Path CA = Path.of("/tmp/proxystage-pki-1/ca.pem");

    private NginxConfig parse(String conf) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/site.conf"), conf);
        return NginxConfig.parse(dir.resolve("conf.d"));
    }

    private static List<String> curls(List<Routes.Route> routes) {
        return routes.stream().map(r -> r.curl("127.0.0.1", Optional.of(CA))).toList();
    }

    @Test
    void goodFixtureGivesHttpAndHttpsForItsHostButNothingForTheCatchAll() {
        NginxConfig config = NginxConfig.parse(Path.of("src/test/resources/plan/good/conf.d"));

        List<Routes.Route> routes = Routes.of(config, TlsSpec.DEFAULT, Map.of(80, 49154, 443, 49153));

        assertThat(curls(routes)).containsExactly(
                "curl --connect-to vw.example.com:80:127.0.0.1:49154 http://vw.example.com/",
                "curl --connect-to vw.example.com:443:127.0.0.1:49153 --cacert /tmp/proxystage-pki-1/ca.pem https://vw.example.com/");
    }

    @Test
    void nonDefaultPortsStayInTheUrl() throws IOException {
        NginxConfig config = parse("""
                server { listen 8443 ssl; server_name admin.example.com;
                         ssl_certificate /etc/nginx/a.crt; ssl_certificate_key /etc/nginx/a.key; }
                server { listen 8080; server_name admin.example.com; }
                """);

        assertThat(curls(Routes.of(config, TlsSpec.DEFAULT, Map.of(8443, 40001, 8080, 40002)))).containsExactly(
                "curl --connect-to admin.example.com:8443:127.0.0.1:40001 --cacert /tmp/proxystage-pki-1/ca.pem"
                        + " https://admin.example.com:8443/",
                "curl --connect-to admin.example.com:8080:127.0.0.1:40002 http://admin.example.com:8080/");
    }

    @Test
    void wildcardAndRegexNamesUseTheTestHostNames() throws IOException {
        NginxConfig config = parse("""
                server { listen 80; server_name *.example.com vw.* .example.org "~^(?<app>.+)\\.example\\.net$"; }
                """);
        TlsSpec tls = new TlsSpec(TlsSpec.Generate.AUTO, Map.of("~^(?<app>.+)\\.example\\.net$", "vw.example.net"), List.of());

        assertThat(Routes.of(config, tls, Map.of(80, 40000))).extracting(Routes.Route::url).containsExactly(
                "http://test.example.com/", "http://vw.proxystage.test/", "http://example.org/", "http://vw.example.net/");
    }

    @Test
    void aRegexGetsItsDerivedRouteButCatchAllsAndUnderivableRegexesGiveNone() throws IOException {
        NginxConfig config = parse("""
                server { listen 80 default_server; server_name _; return 404; }
                server { listen 80; server_name "~^(?<app>.+)\\.example\\.net$"; }
                server { listen 80; server_name "~^(?!www)(?<app>.+)\\.example\\.org$"; }
                server { listen 80; server_name vw.example.com; }
                server { listen 80; server_name vw.example.com; }
                """);

        assertThat(Routes.of(config, TlsSpec.DEFAULT, Map.of(80, 40000))).extracting(Routes.Route::url)
                .containsExactly("http://proxystage.example.net/", "http://vw.example.com/");
    }

    @Test
    void portsDockerDidNotPublishAreLeftOut() throws IOException {
        NginxConfig config = parse("server { listen 80; listen 81; server_name vw.example.com; }\n");

        assertThat(Routes.of(config, TlsSpec.DEFAULT, Map.of(80, 40000))).extracting(Routes.Route::port).containsExactly(80);
    }

    @Test
    void ipv6HostsAndUnusualPathsAreQuotedForTheShell() {
        Routes.Route route = new Routes.Route(true, "2001:db8::7", 443, 40000);

        assertThat(route.curl("127.0.0.1", Optional.of(Path.of("/tmp/my dir/ca.pem")))).isEqualTo(
                "curl --connect-to [2001:db8::7]:443:127.0.0.1:40000 --cacert '/tmp/my dir/ca.pem' https://[2001:db8::7]/");
    }
}
