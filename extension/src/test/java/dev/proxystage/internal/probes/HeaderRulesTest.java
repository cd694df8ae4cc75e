package dev.proxystage.internal.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.probes.ConfigView.LocationInfo;
import dev.proxystage.internal.probes.HeaderRules.DroppedHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeaderRulesTest {

    private static LocationInfo location(ConfigView view, String file, int serverLine, String pattern) {
        ServerBlock block = ProbeFixtureConfigs.block(view.config(), file, serverLine);
        return view.locations(block).stream().filter(l -> l.location().pattern().equals(pattern)).findFirst().orElseThrow();
    }

    private static String where(Directive d) {
        return d.file().getFileName() + ":" + d.line();
    }

    @Test
    void secondHostOnTopOfAnIncludedOneIsADuplicate() {
        ConfigView view = ProbeFixtureConfigs.view("forwarded-headers");
        LocationInfo root = location(view, "vaultwarden.conf", 22, "/");

        assertThat(HeaderRules.duplicateHostHeaders(root.chain())).extracting(HeaderRulesTest::where)
                .containsExactly("proxy-headers.conf:2", "vaultwarden.conf:38");
    }

    @Test
    void theIncludedSnippetAloneIsNoDuplicate() {
        ConfigView view = ProbeFixtureConfigs.view("good");

        for (ServerBlock block : view.config().servers()) {
            for (LocationInfo location : view.locations(block)) {
                assertThat(HeaderRules.duplicateHostHeaders(location.chain())).as(location.describe()).isEmpty();
                if (location.proxies()) {
                    assertThat(HeaderRules.missingForwardedHeaders(location.chain())).as(location.describe()).isEmpty();
                }
            }
        }
    }

    @Test
    void ownProxySetHeadersReplaceEveryInheritedOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), """
                proxy_set_header X-Real-IP $remote_addr;
                server {
                    listen 80;
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    location /inherits { proxy_pass http://app; }
                    location /own { proxy_pass http://app; proxy_set_header Upgrade $http_upgrade; }
                    location /host { proxy_pass http://app; proxy_set_header host $host; proxy_set_header HOST $http_host; }
                }
                """);
        ConfigView view = new ConfigView(NginxConfig.parse(dir), Map.of());
        List<LocationInfo> locations = view.locations(view.config().servers().get(0));

        // Server level defines some, so http's X-Real-IP does not reach the server's locations.
        assertThat(HeaderRules.missingForwardedHeaders(locations.get(0).chain())).containsExactly("X-Real-IP");
        assertThat(HeaderRules.missingForwardedHeaders(locations.get(1).chain()))
                .containsExactly("Host", "X-Real-IP", "X-Forwarded-Proto");
        // Header names compare case-insensitively.
        assertThat(HeaderRules.duplicateHostHeaders(locations.get(2).chain())).hasSize(2);
    }

    @Test
    void locationWithItsOwnAddHeaderDropsTheServersSecurityHeaders() {
        ConfigView view = ProbeFixtureConfigs.view("forwarded-headers");
        LocationInfo statics = location(view, "vaultwarden.conf", 22, "/static/");

        DroppedHeaders dropped = HeaderRules.droppedSecurityHeaders(statics.chain()).orElseThrow();
        assertThat(dropped.names()).containsExactly("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options");
        assertThat(dropped.own()).extracting(HeaderRulesTest::where).containsExactly("vaultwarden.conf:59");
        assertThat(dropped.dropped()).extracting(HeaderRulesTest::where)
                .containsExactly("security-headers.conf:3", "security-headers.conf:4", "security-headers.conf:5");
        assertThat(dropped.always()).isTrue();
    }

    @Test
    void repeatingTheSecurityHeadersKeepsThem() {
        ConfigView view = ProbeFixtureConfigs.view("good");

        assertThat(HeaderRules.droppedSecurityHeaders(location(view, "vaultwarden.conf", 22, "/static/").chain())).isEmpty();
        assertThat(HeaderRules.droppedSecurityHeaders(location(view, "vaultwarden.conf", 22, "/").chain())).isEmpty();
    }

    @Test
    void serverLevelAddHeaderDropsHttpLevelOnesButNotHarmlessOnes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), """
                add_header X-Frame-Options DENY;
                add_header X-Served-By proxy;
                server {
                    listen 80;
                    add_header Cache-Control no-store;
                    location /a { add_header X-Frame-Options DENY; }
                }
                """);
        ConfigView view = new ConfigView(NginxConfig.parse(dir), Map.of());
        ServerBlock server = view.config().servers().get(0);

        assertThat(HeaderRules.droppedSecurityHeaders(view.serverChain(server)).orElseThrow().names())
                .containsExactly("X-Frame-Options");
        // The location redefines too, but repeats the only security header of the level around it (the server's).
        assertThat(HeaderRules.droppedSecurityHeaders(view.locations(server).get(0).chain())).isEmpty();
    }
}
