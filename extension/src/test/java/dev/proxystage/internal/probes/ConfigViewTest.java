package dev.proxystage.internal.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ServerBlock;
import dev.proxystage.internal.probes.ConfigView.Endpoint;
import dev.proxystage.internal.probes.ConfigView.LocationInfo;
import dev.proxystage.internal.probes.ConfigView.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigViewTest {

    @Test
    void portsAndTheirDefaultServers() {
        ConfigView view = ProbeFixtureConfigs.view("good");
        NginxConfig config = view.config();

        assertThat(view.endpoints()).containsExactly(new Endpoint(80, false), new Endpoint(443, true));
        assertThat(view.defaultServer(80)).contains(ProbeFixtureConfigs.block(config, "default.conf", 2));
        assertThat(view.defaultServer(443)).contains(ProbeFixtureConfigs.block(config, "default.conf", 2));
    }

    @Test
    void withoutDefaultServerTheFirstBlockOnThePortIsTheDefault() {
        ConfigView view = ProbeFixtureConfigs.view("default-server");

        // default.conf forgot 443: Vaultwarden's TLS block becomes port 443's default server.
        assertThat(view.defaultServer(80)).contains(ProbeFixtureConfigs.block(view.config(), "default.conf", 2));
        assertThat(view.defaultServer(443)).contains(ProbeFixtureConfigs.block(view.config(), "vaultwarden.conf", 22));
    }

    @Test
    void targetsReachEveryBlockByNameOrAsCatchAll() {
        ConfigView view = ProbeFixtureConfigs.view("good");

        assertThat(view.targets()).extracting(t -> t.block().file().getFileName() + ":" + t.block().line(),
                        Target::endpoint, Target::host, Target::catchAll)
                .containsExactly(
                        tuple("default.conf:2", new Endpoint(80, false), ConfigView.UNKNOWN_HOST, true),
                        tuple("default.conf:2", new Endpoint(443, true), ConfigView.UNKNOWN_HOST, true),
                        tuple("vaultwarden.conf:8", new Endpoint(80, false), "vw.example.com", false),
                        tuple("vaultwarden.conf:22", new Endpoint(443, true), "vw.example.com", false));
        assertThat(view.targets().get(1).url("/x")).isEqualTo("https://" + ConfigView.UNKNOWN_HOST + "/x");
        assertThat(new Endpoint(8443, true).origin("a.example")).isEqualTo("https://a.example:8443");
    }

    @Test
    void namelessBlockThatIsNoDefaultServerIsNotATarget(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), """
                server { listen 80 default_server; server_name _; return 444; }
                server { listen 80; server_name ""; return 200; }
                server { listen 8080; server_name *.example.com; return 200; }
                server { listen 8081; server_name ~^(?<app>.+)\\.example\\.org$; return 200; }
                """);
        ConfigView view = new ConfigView(NginxConfig.parse(dir), Map.of("~^(?<app>.+)\\.example\\.org$", "vw.example.org"));

        assertThat(view.targets()).extracting(Target::host, t -> t.endpoint().port())
                .containsExactly(tuple(ConfigView.UNKNOWN_HOST, 80), tuple("test.example.com", 8080),
                        tuple("vw.example.org", 8081));
    }

    @Test
    void regexNameWithoutTestNameIsNoted(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "server { listen 80; server_name ~^(?=x)x\\.example$; return 200; }\n");
        ConfigView view = new ConfigView(NginxConfig.parse(dir), Map.of());

        // The only block on port 80 is its default server, so it is still reached, as a catch-all.
        assertThat(view.targets()).extracting(Target::catchAll).containsExactly(true);
        assertThat(view.notes()).singleElement().asString().contains("a.conf:1").contains("~^(?=x)x\\.example$");
    }

    @Test
    void locationsCarryTheirChainAndARequestPathWhenLiteral() {
        ConfigView view = ProbeFixtureConfigs.view("good");
        ServerBlock vw = ProbeFixtureConfigs.block(view.config(), "vaultwarden.conf", 22);

        assertThat(view.locations(vw)).extracting(l -> l.location().pattern(), LocationInfo::requestPath, LocationInfo::proxies)
                .containsExactly(
                        tuple("/", Optional.of("/"), true),
                        tuple("/notifications/hub", Optional.of("/notifications/hub"), true),
                        tuple("^/api/", Optional.empty(), true),
                        tuple("/static/", Optional.of("/static/"), false));
        LocationInfo root = view.locations(vw).get(0);
        assertThat(root.chain()).extracting(d -> d.name()).containsExactly("http", "server", "location");
        assertThat(root.chain().get(1)).isSameAs(vw.directive());
        assertThat(root.describe()).startsWith("location / (").endsWith("vaultwarden.conf:34)");
    }

    @Test
    void nestedLocationsFollowTheirParent(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), """
                server {
                    listen 80;
                    location ^~ /static/ {
                        location ~* \\.css$ { expires 1d; }
                        location = /static/x { return 204; }
                    }
                    location @named { return 204; }
                }
                """);
        ConfigView view = new ConfigView(NginxConfig.parse(dir), Map.of());

        assertThat(view.locations(view.config().servers().get(0)))
                .extracting(l -> l.location().pattern(), l -> l.chain().size(), LocationInfo::requestPath)
                .containsExactly(tuple("/static/", 3, Optional.of("/static/")),
                        tuple("\\.css$", 4, Optional.empty()),
                        tuple("/static/x", 4, Optional.of("/static/x")),
                        tuple("named", 3, Optional.empty()));
    }

    @Test
    void aliasLocationsWithoutTrailingSlashAreCandidates() {
        ConfigView view = ProbeFixtureConfigs.view("alias-traversal");
        ServerBlock vw = ProbeFixtureConfigs.block(view.config(), "vaultwarden.conf", 22);

        // /static (alias with slash) is the traversal; /assets (no slash on either side) is probed too and turns out safe.
        assertThat(view.aliasLocations(vw)).extracting(l -> l.location().pattern(), l -> l.location().line())
                .containsExactly(tuple("/static", 54), tuple("/assets", 61));
        ConfigView good = ProbeFixtureConfigs.view("good");
        assertThat(good.config().servers()).allSatisfy(block -> assertThat(good.aliasLocations(block)).isEmpty());
    }
}
