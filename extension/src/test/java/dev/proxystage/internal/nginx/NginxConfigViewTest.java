package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Location.Modifier;
import dev.proxystage.internal.nginx.ProxyTarget.Via;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Servers, listens, locations, upstreams, resolvers and proxy targets derived from the corpus. */
class NginxConfigViewTest {

    private final Path basicConfD = Corpus.dir("basic/conf.d");
    private final Path app = basicConfD.resolve("10-app.conf");
    private final NginxConfig basic = Corpus.parse("basic");

    private final Path swagRoot = Corpus.dir("swag");
    private final Path vaultwarden = swagRoot.resolve("conf.d/vaultwarden.subdomain.conf");
    private final NginxConfig swag = NginxConfig.parse(ParseRequest.of(swagRoot.resolve("conf.d"))
            .withFiles(Map.of("/config/nginx", swagRoot.resolve("nginx"))));

    private List<ProxyTarget> targetsAt(NginxConfig config, Path file, int line) {
        return config.proxyTargets().stream().filter(t -> t.file().equals(file) && t.line() == line).toList();
    }

    @Test
    void listenForms() {
        List<ServerBlock> servers = basic.servers();
        assertThat(servers).hasSize(4);
        assertThat(servers.get(0).listens())
                .extracting(Listen::address, Listen::port, Listen::ssl, Listen::defaultServer, Listen::line)
                .containsExactly(tuple("*", 443, true, false, 2), tuple("[::]", 443, true, false, 3));
        assertThat(servers.get(1).listens())
                .extracting(Listen::address, Listen::port, Listen::ssl, Listen::defaultServer)
                .containsExactly(tuple("127.0.0.1", 8080, false, false), tuple("[::]", 80, false, false),
                        tuple("*", 80, false, true));
        assertThat(servers.get(2).listens()).extracting(Listen::port).containsExactly(8081);
        // No listen at all: nginx listens on *:80; the listen is located at the server block.
        ServerBlock implicit = servers.get(3);
        assertThat(implicit.listens()).singleElement().satisfies(l -> {
            assertThat(l.port()).isEqualTo(80);
            assertThat(l.file()).isEqualTo(app);
            assertThat(l.line()).isEqualTo(implicit.line());
        });
        assertThat(basic.listenPorts()).containsExactly(80, 443, 8080, 8081);
    }

    @Test
    void serverNamesAndCertificatesWithInheritance() {
        ServerBlock first = basic.servers().get(0);
        assertThat(first.file()).isEqualTo(app);
        assertThat(first.line()).isEqualTo(1);
        assertThat(first.serverNames()).containsExactly("app.example.com", "www.app.example.com");
        assertThat(first.sslCertificates()).containsExactly(new FileRef("/etc/nginx/certs/app.crt", app, 5));
        assertThat(first.sslCertificateKeys()).containsExactly(new FileRef("/etc/nginx/certs/app.key", app, 6));
        // The others inherit http's; a relative path resolves against the prefix.
        Path http = basicConfD.resolve("00-http.conf");
        assertThat(basic.servers().get(1).sslCertificates())
                .containsExactly(new FileRef("/etc/nginx/certs/default.crt", http, 25));
        assertThat(basic.servers().get(1).sslCertificateKeys())
                .containsExactly(new FileRef("/etc/nginx/certs/default.key", http, 26));
        assertThat(basic.servers().get(1).serverNames()).containsExactly("_");
    }

    @Test
    void certificatesFromAnIncludedFileKeepItsLocation() {
        ServerBlock server = swag.servers().get(0);
        assertThat(server.sslCertificates())
                .containsExactly(new FileRef("/config/keys/cert.crt", swagRoot.resolve("nginx/ssl.conf"), 1));
    }

    @Test
    void locationsWithModifiersAndNesting() {
        List<Location> locations = basic.servers().get(0).locations();
        assertThat(locations).extracting(Location::modifier, Location::pattern, Location::line).containsExactly(
                tuple(Modifier.PREFIX, "/common", 2),
                tuple(Modifier.PREFIX, "/", 12),
                tuple(Modifier.EXACT, "/exact", 17),
                tuple(Modifier.PREFERRED_PREFIX, "/static/", 21),
                tuple(Modifier.REGEX, "^/(a|b){2}$", 28),
                tuple(Modifier.REGEX, "^/api/(?<rest>.*)$", 32),
                tuple(Modifier.NAMED, "fallback", 36),
                tuple(Modifier.PREFIX, "/if", 40),
                tuple(Modifier.PREFIX, "/escaped", 50),
                tuple(Modifier.PREFIX, "/empty", 57));
        assertThat(locations.get(0).file()).isEqualTo(basicConfD.resolve("snippets/common.conf"));
        assertThat(locations.get(3).locations()).singleElement().satisfies(nested -> {
            assertThat(nested.modifier()).isEqualTo(Modifier.REGEX_CASE_INSENSITIVE);
            assertThat(nested.pattern()).isEqualTo("\\.(css|js)$");
            assertThat(nested.line()).isEqualTo(23);
        });
    }

    @Test
    void upstreamBlocks() {
        assertThat(basic.upstreams()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("backend");
            assertThat(u.line()).isEqualTo(2);
            assertThat(u.servers()).extracting(Upstream.UpstreamServer::host, Upstream.UpstreamServer::port,
                            Upstream.UpstreamServer::line)
                    .containsExactly(tuple("vaultwarden", 8080, 3), tuple("api", 80, 4), tuple("[::1]", 9000, 5));
        });
    }

    @Test
    void literalProxyPass() {
        assertThat(targetsAt(basic, app, 13)).singleElement().satisfies(t -> {
            assertThat(t.via()).isEqualTo(Via.LITERAL);
            assertThat(t.scheme()).isEqualTo("http");
            assertThat(t.host()).isEqualTo("vaultwarden");
            assertThat(t.port()).isEqualTo(80);
            assertThat(t.target()).isEqualTo("http://vaultwarden:80");
            assertThat(t.hostDefinedBy()).isSameAs(t.directive());
            assertThat(t.upstream()).isEmpty();
        });
        // The URI part, variables included, does not matter.
        assertThat(targetsAt(basic, app, 37)).singleElement()
                .extracting(ProxyTarget::via, ProxyTarget::host, ProxyTarget::port)
                .containsExactly(Via.LITERAL, "api", 8081);
        assertThat(targetsAt(basic, basicConfD.resolve("snippets/common.conf"), 3)).singleElement()
                .extracting(ProxyTarget::host, ProxyTarget::port).containsExactly("common", 9000);
    }

    @Test
    void proxyPassThroughAnUpstreamYieldsEachServer() {
        List<ProxyTarget> targets = targetsAt(basic, app, 33);
        assertThat(targets).extracting(ProxyTarget::via, ProxyTarget::host, ProxyTarget::port, ProxyTarget::upstream)
                .containsExactly(tuple(Via.UPSTREAM, "vaultwarden", 8080, Optional.of("backend")),
                        tuple(Via.UPSTREAM, "api", 80, Optional.of("backend")),
                        tuple(Via.UPSTREAM, "[::1]", 9000, Optional.of("backend")));
        assertThat(targets.get(0).hostDefinedBy().where()).isEqualTo(basicConfD.resolve("00-http.conf") + ":3");
    }

    @Test
    void variablesFromAMapYieldEachValue() {
        List<ProxyTarget> targets = targetsAt(basic, app, 47);
        assertThat(targets).extracting(ProxyTarget::via, ProxyTarget::host, ProxyTarget::port)
                .containsExactly(tuple(Via.VARIABLES, "vaultwarden", 8000), tuple(Via.VARIABLES, "api", 8000));
        assertThat(targets).extracting(t -> t.hostDefinedBy().line()).containsExactly(16, 17);
    }

    @Test
    void swagStyleSetVariablesResolveInTheLocation() {
        assertThat(targetsAt(swag, vaultwarden, 18)).singleElement().satisfies(t -> {
            assertThat(t.via()).isEqualTo(Via.VARIABLES);
            assertThat(t.scheme()).isEqualTo("http");
            assertThat(t.host()).isEqualTo("vaultwarden");
            assertThat(t.port()).isEqualTo(80);
            // The host is written in "set $upstream_app vaultwarden;", so problems with it point there.
            assertThat(t.hostDefinedBy().name()).isEqualTo("set");
            assertThat(t.hostDefinedBy().line()).isEqualTo(16);
            assertThat(t.resolver()).hasValueSatisfying(r -> {
                assertThat(r.addresses()).containsExactly("127.0.0.11");
                assertThat(r.file()).isEqualTo(swagRoot.resolve("nginx/resolver.conf"));
                assertThat(r.line()).isEqualTo(1);
            });
        });
    }

    @Test
    void setVariablesResolveFromAnEnclosingLocationAndTheServer() {
        assertThat(targetsAt(swag, vaultwarden, 21)).singleElement()
                .extracting(ProxyTarget::via, ProxyTarget::scheme, ProxyTarget::host, ProxyTarget::port)
                .containsExactly(Via.VARIABLES, "http", "vaultwarden", 80);
    }

    @Test
    void bracedVariablesAndTheRequestUri() {
        assertThat(targetsAt(swag, vaultwarden, 29)).singleElement()
                .extracting(ProxyTarget::via, ProxyTarget::host, ProxyTarget::port)
                .containsExactly(Via.VARIABLES, "vaultwarden", 3012);
    }

    @Test
    void aVariableNothingSetsIsUnresolvedNotACrash() {
        assertThat(targetsAt(swag, vaultwarden, 33)).singleElement().satisfies(t -> {
            assertThat(t.via()).isEqualTo(Via.UNRESOLVED);
            assertThat(t.resolved()).isFalse();
            assertThat(t.unresolvedVariables()).containsExactly("http_x_backend");
            assertThat(t.host()).isEqualTo("http://$http_x_backend");
        });
    }

    @Test
    void resolvers() {
        assertThat(swag.resolvers()).singleElement().satisfies(r -> {
            assertThat(r.addresses()).containsExactly("127.0.0.11");
            assertThat(r.file()).isEqualTo(swagRoot.resolve("nginx/resolver.conf"));
        });
        assertThat(basic.resolvers()).isEmpty();
    }

    @Test
    void streamServersAndTheirTargets() {
        Path root = Corpus.dir("mainconf");
        NginxConfig main = NginxConfig.parse(ParseRequest.of(root.resolve("conf.d"))
                .withMainConf(root.resolve("nginx.conf"))
                .withFiles(Map.of("/etc/nginx/snippets", root.resolve("snippets"))));
        assertThat(main.listenPorts()).containsExactly(5353, 6379, 8443);
        assertThat(main.servers()).as("http servers only").hasSize(1);
        assertThat(main.servers().get(0).sslCertificates())
                .containsExactly(new FileRef("/etc/nginx/tls/site.crt", root.resolve("snippets/tls.conf"), 1));
        assertThat(main.proxyTargets())
                .extracting(ProxyTarget::via, ProxyTarget::scheme, ProxyTarget::host, ProxyTarget::port)
                .containsExactly(tuple(Via.LITERAL, "https", "web", 443),
                        tuple(Via.UPSTREAM, "tcp", "coredns", 53),
                        tuple(Via.LITERAL, "tcp", "redis", 6379));
    }

    @Test
    void hostPathOfMapsContainerPathsBack() {
        Path root = Corpus.dir("mainconf");
        NginxConfig main = NginxConfig.parse(ParseRequest.of(root.resolve("conf.d"))
                .withMainConf(root.resolve("nginx.conf"))
                .withFiles(Map.of("/etc/nginx/snippets", root.resolve("snippets"))));
        assertThat(main.hostPathOf("/etc/nginx/nginx.conf")).contains(root.resolve("nginx.conf"));
        assertThat(main.hostPathOf("/etc/nginx/conf.d/site.conf")).contains(root.resolve("conf.d/site.conf"));
        assertThat(main.hostPathOf("conf.d/site.conf")).contains(root.resolve("conf.d/site.conf"));
        assertThat(main.hostPathOf("/etc/nginx/snippets/../snippets/tls.conf"))
                .contains(root.resolve("snippets/tls.conf"));
        assertThat(main.hostPathOf("/etc/nginx/conf.d")).contains(root.resolve("conf.d"));
        assertThat(main.hostPathOf("/etc/nginx/conf.dx/a.conf")).isEmpty();
        assertThat(main.hostPathOf("/etc/nginx/mime.types")).isEmpty();
    }
}
