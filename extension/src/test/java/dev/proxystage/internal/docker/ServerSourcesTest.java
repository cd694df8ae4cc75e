package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.RoutingTrace;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.nginx.Problem.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSourcesTest {

    private static final Path EXPLAIN = Path.of("src/test/resources/fixtures/explain");
    private static final Path APP = EXPLAIN.resolve("conf.d/app.conf");
    private static final Path SNIPPET = EXPLAIN.resolve("snippets/proxy.conf");

    private static NginxConfig explain() {
        return NginxConfig.parse(ParseRequest.of(EXPLAIN.resolve("conf.d"))
                .withFiles(Map.of("/config/snippets", EXPLAIN.resolve("snippets"))));
    }

    @Test
    void findsTheServerBlockWithItsIncludesAndTheWarningsAboutThem() {
        Problem inSnippet = new Problem(Severity.WARNING, Problem.Rule.NGINX_HEADERS, SNIPPET, 2, "proxy_set_header Host is set again at " + APP + ":8");
        Problem inBlock = new Problem(Severity.WARNING, Problem.Rule.NGINX_HEADERS, APP, 8, "proxy_set_header Host repeats the snippet's");
        Problem afterBlock = new Problem(Severity.WARNING, Problem.Rule.NGINX_HEADERS, APP, 40, "something further down");
        Problem elsewhere = new Problem(Severity.WARNING, Problem.Rule.NGINX_HEADERS, EXPLAIN.resolve("conf.d/other.conf"), 2, "elsewhere");

        RoutingTrace.ServerSource source = ServerSources.of(explain(), List.of(inSnippet, inBlock, afterBlock, elsewhere))
                .find("app.example.com", 80).orElseThrow();

        assertThat(source.location()).isEqualTo(APP + ":1");
        assertThat(source.includedFiles()).containsExactly(SNIPPET.toString());
        assertThat(source.findings()).containsExactly(inSnippet.toString(), inBlock.toString());
        assertThat(source).hasToString(APP + ":1, includes " + SNIPPET);
    }

    @Test
    void aNameOnAnotherPortIsFoundOnlyWhenItIsTheOnlyServerOfThatName(@TempDir Path confD) throws Exception {
        Files.writeString(confD.resolve("a.conf"), """
                server { listen 80; server_name a.example.com; return 200; }
                server { listen 8443; server_name a.example.com; return 200; }
                server { listen 81; server_name b.example.com; return 200; }
                server { listen 82; return 200; }
                """);
        ServerSources sources = ServerSources.of(NginxConfig.parse(ParseRequest.of(confD)), List.of());

        assertThat(sources.find("a.example.com", 8443).orElseThrow().location()).isEqualTo(confD.resolve("a.conf") + ":2");
        assertThat(sources.find("a.example.com", 9999)).isEmpty();
        assertThat(sources.find("b.example.com", 9999).orElseThrow().location()).endsWith("a.conf:3");
        assertThat(sources.find("", 82).orElseThrow().location()).endsWith("a.conf:4");
        assertThat(sources.find("c.example.com", 80)).isEmpty();
        assertThat(ServerSources.NONE.find("a.example.com", 80)).isEmpty();
    }
}
