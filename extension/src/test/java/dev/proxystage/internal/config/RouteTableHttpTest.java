package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A route table's headers are HTTP's, and a table has limits of its own, sized for tables. A header problem is placed
 * at the header's value, on the header's line.
 */
class RouteTableHttpTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("routes.yml"), yaml);
    }

    private String errorOf(String yaml) throws IOException {
        Path file = write(yaml);
        String message = assertThatThrownBy(() -> RouteTableLoader.load(file)).isInstanceOf(ProxyStageException.class)
                .actual().getMessage();
        assertThat(message).startsWith(file + ":").doesNotContain("\n").doesNotContain("\r");
        return message.substring(file.toString().length());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            request | `{url: https://a.test/, headers: {"X Probe": "1"}}`      | 3:58 | routes[0].request.headers: 'X Probe' is not a header name
            request | `{url: https://a.test/, headers: {"X-Probe:": "1"}}`     | 3:59 | routes[0].request.headers: 'X-Probe:' is not a header name
            request | `{url: https://a.test/, headers: {"": "1"}}`             | 3:51 | routes[0].request.headers: '' is not a header name
            request | `{url: https://a.test/, headers: {"X-\\u00e9": "1"}}`    | 3:59 | is not a header name
            request | `{url: https://a.test/, headers: {"X-\\tTab": "1"}}`     | 3:58 | routes[0].request.headers: 'X-\\u0009Tab' is not a header name
            expect  | `{headers: {"Strict Transport": "max-age=1"}}`           | 3:44 | routes[0].expect.headers: 'Strict Transport' is not a header name
            expect  | `{forwardedHeaders: {"X(Forwarded)": https}}`            | 3:49 | routes[0].expect.forwardedHeaders: 'X(Forwarded)' is not a header name
            """)
    void headerNamesAreRfc9110Tokens(String where, String value, String at, String message) throws IOException {
        String yaml = "routes:\n  - request: GET https://a.test/\n    " + where + ": " + value + "\n";
        if (where.equals("request")) {
            yaml = "routes:\n  - name: r\n    request: " + value + "\n";
        }
        assertThat(errorOf(yaml)).startsWith(":" + at + ": ").contains(message)
                .endsWith("RFC 9110 allows letters, digits and !#$%&'*+-.^_`|~ (no spaces, colons or control characters)");
    }

    @Test
    void tokenCharactersAreAllowed() throws IOException {
        RouteTableFile table = RouteTableLoader.load(write("routes:\n  - request: {url: https://a.test/, headers: "
                + "{\"X-a_b.c!#$%&'*+^`|~9\": \"v\\tw x\"}}\n"));
        assertThat(table.routes().get(0).request().headers()).containsEntry("X-a_b.c!#$%&'*+^`|~9", "v\tw x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `"a\\r\\nX-Injected: yes"` | CR at character 2
            `"a\\nb"`                  | LF at character 2
            `"a\\0b"`                  | NUL at character 2
            """)
    void headerValuesCarryNoCrLfOrNul(String value, String what) throws IOException {
        String expected = "routes[0].request.headers.X-Probe carries " + what
                + "; RFC 9110 allows no CR, LF or NUL in a field value (it would split the header)";
        assertThat(errorOf("routes:\n  - name: r\n    request:\n      url: https://a.test/\n      headers:\n        X-Probe: "
                + value + "\n")).startsWith(":6:18: ").endsWith(expected);
        assertThat(errorOf("routes:\n  - request: GET https://a.test/\n    expect:\n      headers:\n        X-Probe: "
                + value + "\n")).startsWith(":5:18: routes[0].expect.headers.X-Probe carries " + what);
        assertThat(errorOf("routes:\n  - request: GET https://a.test/\n    expect:\n      forwardedHeaders:\n        X-Probe: "
                + value + "\n")).startsWith(":5:18: routes[0].expect.forwardedHeaders.X-Probe carries " + what);
    }

    @Test
    void aBlockScalarEndsInLf() throws IOException {
        assertThat(errorOf("routes:\n  - name: r\n    request:\n      url: https://a.test/\n      headers:\n        X-Probe: |\n"
                + "          two\n          lines\n")).startsWith(":6:18: routes[0].request.headers.X-Probe carries LF at character 4");
    }

    @Test
    void aSentValueIsWhatTheClientCanSendAndAnExpectedOneMayBeAnyText() throws IOException {
        assertThat(errorOf("routes:\n  - request: {url: https://a.test/, headers: {X-Name: \"caf\u00e9\"}}\n"))
                .isEqualTo(":2:55: routes[0].request.headers.X-Name carries U+00E9 at character 4; the client sends header"
                        + " values of visible ASCII, spaces and tabs only");
        assertThat(errorOf("routes:\n  - request: {url: https://a.test/, headers: {X-Bell: \"a\\ab\"}}\n"))
                .contains("carries U+0007 at character 2");
        RouteTableFile table = RouteTableLoader.load(write("routes:\n  - request: GET https://a.test/\n"
                + "    expect: {headers: {Content-Disposition: \"~caf\u00e9\"}}\n"));
        assertThat(table.routes().get(0).expect().headers()).containsEntry("Content-Disposition", "~caf\u00e9");
    }

    @Test
    void stageOverridesAreCheckedToo() throws IOException {
        assertThat(errorOf("routes:\n  - request: GET https://a.test/\n    stages: {wip: {expect: {headers: {\"A B\": x}}}}\n"))
                .startsWith(":3:46: routes[0].stages.wip.expect.headers: 'A B' is not a header name");
    }

    @Test
    void aRouteNameIsOneLine() throws IOException {
        assertThat(errorOf("routes:\n  - name: \"two\\nlines\"\n    request: GET https://a.test/\n"))
                .isEqualTo(":2:11: routes[0].name must be one line (no CR, LF or NUL): results print one line per route");
    }

    @Test
    void theUrlLocationIsKeptForChecksAgainstConfD() throws IOException {
        RouteTableFile table = RouteTableLoader.load(write(
                "routes:\n  - request: GET http://a.test/\n  - request:\n      url: https://b.test/\n"));
        Path file = dir.resolve("routes.yml");
        assertThat(table.routes()).extracting(RouteTableFile.Route::urlLocation).containsExactly(file + ":2:14", file + ":4:12");
    }

    // ---- limits of their own ------------------------------------------------------------------------------------

    /** What {@code init} writes: a comment and one route per server name and location. */
    private static String initStyle(int routes) {
        StringBuilder yaml = new StringBuilder("# routes.yml\nroutes:\n");
        for (int i = 0; i < routes; i++) {
            yaml.append("  # conf.d/apps.conf:").append(4 + 7 * i).append(" location /\n")
                    .append("  - request: 'GET http://app").append(i).append(".example.com/'\n")
                    .append("    expect: {backend: app}\n");
        }
        return yaml.toString();
    }

    @Test
    void aTableOfTenThousandRoutesAsInitWritesItLoads() throws IOException {
        String yaml = initStyle(10_000);
        assertThat(yaml.length()).isGreaterThan(YamlLoader.MAX_BYTES);

        RouteTableFile table = RouteTableLoader.load(write(yaml));

        assertThat(table.routes()).hasSize(10_000);
        assertThat(table.routes().get(9_999).request().url()).isEqualTo("http://app9999.example.com/");
    }

    @Test
    void moreRoutesThanATableMayHaveAreRefusedNamingTheLimit() throws IOException {
        StringBuilder yaml = new StringBuilder("routes: [\n");
        for (int i = 0; i <= RouteTableLoader.MAX_ROUTES; i++) {
            yaml.append("{request: GET http://a/},\n");
        }
        yaml.append("]\n");

        assertThat(errorOf(yaml.toString())).isEqualTo(":1:9: " + (RouteTableLoader.MAX_ROUTES + 1) + " routes, more than the "
                + RouteTableLoader.MAX_ROUTES + " a route table may have");
    }

    @Test
    void aFileLargerThanATableMayBeIsRefusedBeforeParsing() throws IOException {
        Path file = dir.resolve("routes.yml");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(32L * 1024 * 1024 + 1);
        }
        assertThatThrownBy(() -> RouteTableLoader.load(file)).isInstanceOf(ProxyStageException.class)
                .hasMessage(file + ": " + (32L * 1024 * 1024 + 1) + " bytes, more than the 32 MiB a route table may have");
    }

    @Test
    void aliasesThatMultiplyAreStillRefused() throws IOException {
        StringBuilder yaml = new StringBuilder("x0: &a0 [{request: GET http://a/}, {request: GET http://a/}]\n");
        for (int i = 1; i < 30; i++) {
            yaml.append("x").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1)
                    .append("]\n");
        }
        yaml.append("routes: *a29\n");

        assertThat(errorOf(yaml.toString())).contains(": the document expands to more than 200000 values through aliases"
                + " (aliases that repeat aliases multiply); write the values out instead");
    }

    @Test
    void aPipelineFileKeepsItsOwnLimitsAndALargeOneIsNotBlamedOnAliases() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Path pipeline = Files.writeString(dir.resolve("pipeline.yml"), "stages: [wip]\nnginx: {image: nginx, confDir: conf.d}\n"
                + "x: [" + "1,".repeat(YamlLoader.MAX_VALUES) + "1]\n");

        assertThatThrownBy(() -> PipelineConfigLoader.load(pipeline, Optional.empty())).isInstanceOf(ProxyStageException.class)
                .hasMessageEndingWith(": the document has more than 10000 values, more than a pipeline file may have");
    }
}
