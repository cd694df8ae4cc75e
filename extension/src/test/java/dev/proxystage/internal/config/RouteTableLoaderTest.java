package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.Fault;
import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteTableLoaderTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("routes.yml"), yaml);
    }

    @Test
    void aFullRouteAndTheShorthandAreRead() throws IOException {
        Path file = write("""
                routes:
                  - name: vaultwarden home
                    request:
                      method: post
                      url: https://vw.example.com/
                      headers: {X-Probe: "1"}
                      body: "hi"
                    expect:
                      status: 200
                      backend: vaultwarden
                      redirect: https://vw.example.com/x
                      headers: {Strict-Transport-Security: "~max-age=\\\\d+"}
                      forwardedHeaders: {X-Forwarded-Proto: https}
                  - request: GET wss://vw.example.com/notifications/hub
                    expect: {websocket: true}
                """);

        RouteTableFile table = RouteTableLoader.load(file);

        assertThat(table.routes()).hasSize(2);
        RouteTableFile.Route first = table.routes().get(0);
        assertThat(first.name()).isEqualTo("vaultwarden home");
        assertThat(first.location()).isEqualTo(file + ":2:5");
        assertThat(first.request()).isEqualTo(new RouteTableFile.Request("POST", "https://vw.example.com/", Map.of("X-Probe", "1"), Optional.of("hi")));
        RouteTableFile.Expect expect = first.expect();
        assertThat(expect.status()).contains(200);
        assertThat(expect.backends()).containsExactly("vaultwarden");
        assertThat(expect.backendLocation()).isEqualTo(file + ":10:16");
        assertThat(expect.redirect()).contains("https://vw.example.com/x");
        assertThat(expect.headers()).containsEntry("Strict-Transport-Security", "~max-age=\\d+");
        assertThat(expect.forwardedHeaders()).containsEntry("X-Forwarded-Proto", "https");
        RouteTableFile.Route second = table.routes().get(1);
        assertThat(second.expect().backends()).isEmpty();
        assertThat(second.name()).isEqualTo("GET wss://vw.example.com/notifications/hub");
        assertThat(second.expect().websocket()).isTrue();
    }

    @Test
    void stageOverridesMergeIntoTheDefaultAndSkipDropsTheRoute() throws IOException {
        RouteTableFile table = RouteTableLoader.load(write("""
                routes:
                  - request: GET https://vw.example.com/
                    expect: {status: 200, backend: vaultwarden}
                    stages:
                      wip: {expect: {status: 404}}
                      seed: {skip: true}
                """));
        RouteTableFile.Route route = table.routes().get(0);

        assertThat(route.expectIn("prep").orElseThrow().status()).contains(200);
        RouteTableFile.Expect wip = route.expectIn("wip").orElseThrow();
        assertThat(wip.status()).contains(404);
        assertThat(wip.backends()).containsExactly("vaultwarden");
        assertThat(route.expectIn("seed")).isEmpty();
        assertThat(route.stageLocations()).containsOnlyKeys("wip", "seed");
    }

    @Test
    void aBackendListIsOneOfSeveralAndABadOneIsOneLine() throws IOException {
        RouteTableFile table = RouteTableLoader.load(write("""
                routes:
                  - request: GET http://s3.test/
                    expect: {backend: [minio1, minio2]}
                """));

        assertThat(table.routes().get(0).expect().backends()).containsExactly("minio1", "minio2");
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {backend: []}\n",
                ":3:23: routes[0].expect.backend is an empty list");
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {backend: [a, a]}\n",
                ":3:27: routes[0].expect.backend lists backends that may answer, each once: 'a' twice");
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {backend: {a: 1}}\n",
                ":3:23: routes[0].expect.backend must be a single value, not a map");
    }

    @Test
    void aStageThatDiffersOnPurposeSaysWhy() throws IOException {
        RouteTableFile table = RouteTableLoader.load(write("""
                routes:
                  - request: GET https://vw.example.com/admin
                    expect: {status: 200}
                    stages:
                      prep: {differs: "prep hides the admin page", expect: {status: 403}}
                """));
        RouteTableFile.Route route = table.routes().get(0);

        assertThat(route.differsIn("prep")).contains("prep hides the admin page");
        assertThat(route.differsIn("wip")).isEmpty();
        assertThat(route.expectIn("prep").orElseThrow().status()).contains(403);
    }

    @Test
    void aDiffersWithoutAReasonIsOneLineWithFileLineAndColumn() throws IOException {
        assertFails("routes:\n  - request: GET https://a.test/\n    stages: {prep: {differs: true}}\n",
                ":3:30: routes[0].stages.prep.differs must say why the stage differs on purpose");
        assertFails("routes:\n  - request: GET https://a.test/\n    stages: {prep: {differs: [a]}}\n",
                ":3:30: routes[0].stages.prep.differs must be one line saying why the stage differs, not a list");
        assertFails("routes:\n  - request: GET https://a.test/\n    stages: {prep: {differs: \"\"}}\n",
                ":3:30: routes[0].stages.prep.differs must say why");
        assertFails("routes:\n  - request: GET https://a.test/\n    stages: {prep: {differ: x}}\n",
                ":3:29: unknown key 'differ' in routes[0].stages.prep (known: differs, expect, skip)");
    }

    @Test
    void badInputIsOneLineWithFileLineAndColumn() throws IOException {
        assertFails("routes:\n  - request: GET https://a.test/\n    expext: {status: 200}\n",
                ":3:13: unknown key 'expext' in routes[0] (known: expect, fault, name, request, stages)");
        assertFails("routes:\n  - name: no url\n    request: {method: GET}\n", ":3:14: routes[0].request has no url");
        assertFails("routes:\n  - name: no request\n", ":2:5: routes[0] has no request (and so no url)");
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {status: [200]}\n",
                ":3:22: routes[0].expect.status must be a single value, not a list");
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {status: 99}\n",
                ":3:22: routes[0].expect.status must be an HTTP status (100-599), got '99'");
        assertFails("routes:\n  - request: GET a.test/\n", ":2:14: routes[0].request must be an absolute http(s) or ws(s) URL, got 'a.test/'");
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {headers: {X: \"~(\"}}\n",
                ":3:27: routes[0].expect.headers.X is not a valid regular expression");
        assertFails("routes:\n  - request: GET https://a.test/\n    stages: {wip: {skip: maybe}}\n",
                ":3:26: routes[0].stages.wip.skip must be true or false, got 'maybe'");
        assertFails("routes: {a: 1}\n", ":1:9: routes must be a list");
        assertFails("rotues: []\n", ":1:9: unknown key 'rotues' in the route table");
        assertFails("# nothing\n", ":1:1: the route table has no 'routes' list");
        // An unclosed bracket is placed where it opens, not at the end of the file.
        assertFails("routes:\n  - request: GET https://a.test/\n    expect: {status: 200\n", ":3:13: YAML syntax error");
    }

    @Test
    void anUnclosedQuoteIsReportedWhereItOpensNotWhereTheNextQuoteEndsIt() throws IOException {
        StringBuilder yaml = new StringBuilder("routes:\n");
        for (int i = 0; i < 5; i++) {
            yaml.append("  - request: GET https://a").append(i).append(".test/\n    expect: {status: 200}\n");
        }
        yaml.append("  - request: \"GET https://open.test/\n");                      // line 12: the quote never closes
        for (int i = 0; i < 5; i++) {
            yaml.append("  - request: GET https://b").append(i).append(".test/\n    expect: {status: 200}\n");
        }
        yaml.append("  - request: {url: \"https://c.test/\"}\n");                    // line 23: the next quote
        Path file = write(yaml.toString());

        assertThatThrownBy(() -> RouteTableLoader.load(file)).isInstanceOf(ProxyStageException.class)
                .hasMessageStartingWith(file + ":12:14: YAML syntax error: the quoted value that opens here is not closed")
                .hasMessageContaining("runs on to line 23")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aRouteMayDeclareTheFaultInForceWhileItRuns() throws IOException {
        Path file = write("""
                routes:
                  - name: vaultwarden hangs
                    request: GET https://vw.example.com/
                    fault: {backend: vaultwarden, hang: true}
                    expect: {status: 504}
                  - request: GET https://vw.example.com/slow
                    fault:
                      backend: vaultwarden
                      slow: 1500ms
                  - request: GET https://vw.example.com/
                """);

        RouteTableFile table = RouteTableLoader.load(file);

        RouteTableFile.RouteFault hang = table.routes().get(0).fault().orElseThrow();
        assertThat(hang.backend()).isEqualTo("vaultwarden");
        assertThat(hang.fault()).isEqualTo(Fault.hang());
        assertThat(hang.location()).isEqualTo(file + ":4:12");
        assertThat(table.routes().get(1).fault().orElseThrow().fault())
                .isEqualTo(Fault.slow(Duration.ofMillis(1500)));
        assertThat(table.routes().get(2).fault()).isEmpty();
    }

    @Test
    void aBadFaultIsOneLineWithFileLineAndColumn() throws IOException {
        assertFails("routes:\n  - request: GET https://a.test/\n    fault: {backend: vw, melt: true}\n",
                ":3:32: unknown key 'melt' in routes[0].fault (known: backend and one of down, hang, slow, slowChunks,"
                        + " throttle, reset, resetAfter, flaky, restartWithNewAddress)");
        assertFails("routes:\n  - request: GET https://a.test/\n    fault: {hang: true}\n",
                ":3:12: routes[0].fault needs the backend to break, e.g. {backend: vaultwarden, hang: true}");
        assertFails("routes:\n  - request: GET https://a.test/\n    fault: {backend: vw}\n",
                ":3:12: routes[0].fault needs exactly one fault (one of down, hang, slow, slowChunks, throttle, reset,"
                        + " resetAfter, flaky, restartWithNewAddress), got none");
        assertFails("routes:\n  - request: GET https://a.test/\n    fault: {backend: vw, hang: true, down: true}\n",
                ":3:12: routes[0].fault needs exactly one fault");
        assertFails("routes:\n  - request: GET https://a.test/\n    fault: {backend: vw, slow: soon}\n",
                ":3:32: routes[0].fault.slow: fault 'slow' takes a duration such as 500ms, 2s or 1m, got 'soon'");
        assertFails("routes:\n  - request: GET https://a.test/\n    fault: hang\n", ":3:12: routes[0].fault must be a map");
    }

    @Test
    void aMissingTableSaysWhichFile() {
        assertThatThrownBy(() -> RouteTableLoader.load(dir.resolve("nope.yml")))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("route table not found: " + dir.resolve("nope.yml"));
    }

    private void assertFails(String yaml, String expected) throws IOException {
        Path file = write(yaml);
        assertThatThrownBy(() -> RouteTableLoader.load(file))
                .isInstanceOf(ProxyStageException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(file + expected).doesNotContain("\n"));
    }
}
