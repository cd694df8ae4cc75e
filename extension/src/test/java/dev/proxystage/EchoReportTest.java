package dev.proxystage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EchoReportTest {

    private static final String ECHO = "{\"identity\":{\"stage\":\"prep\",\"alias\":\"vaultwarden\",\"backend\":\"vw\","
            + "\"hostname\":\"c1\"},\"request\":{\"method\":\"GET\",\"uri\":\"/a?b=1\",\"path\":\"/a\",\"query\":\"b=1\","
            + "\"protocol\":\"HTTP/1.0\",\"headers\":{\"host\":[\"vw.example.com\"],\"x-multi\":[\"one\",\"two\"]},"
            + "\"bodyLength\":3,\"body\":\"abc\"},\"client\":{\"address\":\"172.18.0.5\",\"port\":41000},\"later\":1}\n";

    @Test
    void parsesTheEchosReport() {
        EchoReport report = EchoReport.parse("application/json; charset=utf-8", ECHO).orElseThrow();

        assertThat(report.identity()).isEqualTo(new EchoReport.Identity("prep", "vaultwarden", "vw", "c1"));
        assertThat(report.request().path()).isEqualTo("/a");
        assertThat(report.request().query()).isEqualTo("b=1");
        assertThat(report.request().header("Host")).contains("vw.example.com");
        assertThat(report.request().headerValues("X-MULTI")).containsExactly("one", "two");
        assertThat(report.request().headerValues("x-none")).isEmpty();
        assertThat(report.request().bodyLength()).isEqualTo(3);
        assertThat(report.client()).isEqualTo(new EchoReport.Client("172.18.0.5", 41000));
    }

    @Test
    void aReportOverHttpHasNoParams() {
        EchoReport report = EchoReport.parse("application/json; charset=utf-8", ECHO).orElseThrow();

        assertThat(report.gateway()).isEqualTo(EchoReport.Gateway.HTTP);
        assertThat(report.gateway().paramValues("SCRIPT_FILENAME")).isEmpty();
    }

    @Test
    void aReportOverFastCgiHasEveryParamAsSentAndTheParamAssertionsSeeADoubledOne() {
        String fastcgi = "{\"identity\":{\"stage\":\"prep\",\"alias\":\"phpfpm\",\"backend\":\"phpfpm\",\"hostname\":\"c3\"},"
                + "\"request\":{\"method\":\"GET\",\"uri\":\"/index.php\",\"path\":\"/index.php\",\"query\":\"\","
                + "\"protocol\":\"HTTP/1.1\",\"headers\":{\"host\":[\"shop.example.com\"]},\"bodyLength\":0,\"body\":\"\"},"
                + "\"client\":{\"address\":\"172.18.0.5\",\"port\":41000},\"gateway\":{\"protocol\":\"fastcgi\","
                + "\"scriptName\":\"/index.php\",\"scriptFilename\":\"/etc/nginx/html/index.php\",\"params\":{"
                + "\"SCRIPT_FILENAME\":[\"/etc/nginx/html/index.php\",\"/var/www/html/index.php\"],"
                + "\"SCRIPT_NAME\":[\"/index.php\"]}}}\n";

        EchoReport report = EchoReport.parse("application/json; charset=utf-8", fastcgi).orElseThrow();

        assertThat(report.gateway().protocol()).isEqualTo("fastcgi");
        assertThat(report.gateway().scriptName()).isEqualTo("/index.php");
        assertThat(report.gateway().paramValues("SCRIPT_FILENAME"))
                .containsExactly("/etc/nginx/html/index.php", "/var/www/html/index.php");
        new EchoReportAssert(report).hasParam("SCRIPT_NAME", "/index.php").hasParam("SCRIPT_NAME")
                .hasHeader("Host", "shop.example.com");
        assertThatThrownBy(() -> new EchoReportAssert(report).hasParam("SCRIPT_FILENAME", "/var/www/html/index.php"))
                .hasMessage("expected the backend (phpfpm@prep, over fastcgi) to receive param SCRIPT_FILENAME: "
                        + "/var/www/html/index.php but it received [/etc/nginx/html/index.php, /var/www/html/index.php]");
        assertThatThrownBy(() -> new EchoReportAssert(report).hasParam("SCRIPT_FILENAME"))
                .hasMessageContaining("to receive param SCRIPT_FILENAME once; it received [/etc/nginx/html/index.php,");
        assertThatThrownBy(() -> new EchoReportAssert(report).hasParam("PATH_INFO"))
                .hasMessageContaining("it received none (params: [");
    }

    @Test
    void anythingElseIsNotAnEchoReport() {
        assertThat(EchoReport.parse("text/html", ECHO)).isEmpty();
        assertThat(EchoReport.parse(null, ECHO)).isEmpty();
        assertThat(EchoReport.parse("application/json", "{\"status\":\"ok\"}")).isEmpty();
        assertThat(EchoReport.parse("application/json", "{\"identity\": broken")).isEmpty();
        assertThat(EchoReport.parse("application/json", "{\"identity\":{\"stage\":\"prep\"}}")).isEmpty();
    }

    @Test
    void parsesARefusalButNotAReport() {
        String refusal = "{\"identity\":{\"stage\":\"prep\",\"alias\":\"app\",\"backend\":\"app\",\"hostname\":\"c2\"},"
                + "\"status\":400,\"error\":\"Bad Request\",\"detail\":\"2 Host headers (a, a); RFC 9112 \u00a73.2 allows one\"}\n";

        EchoReport.Refusal parsed = EchoReport.parseRefusal("application/json; charset=utf-8", refusal).orElseThrow();

        assertThat(parsed.status()).isEqualTo(400);
        assertThat(parsed.identity().alias()).isEqualTo("app");
        assertThat(parsed).hasToString("echo backend app@prep refused the request: 2 Host headers (a, a); RFC 9112 \u00a73.2 allows one");
        assertThat(EchoReport.parse("application/json", refusal)).isEmpty();
        assertThat(EchoReport.parseRefusal("application/json", ECHO)).isEmpty();
        assertThat(EchoReport.parseRefusal("text/plain", refusal)).isEmpty();
        assertThat(EchoReport.parseRefusal("application/json", "{\"detail\":\"x\",\"identity\":[]}")).isEmpty();
        assertThat(List.of(EchoReport.parseRefusal("application/json", "{\"detail\":\"x\",\"identity\":{}}")))
                .containsExactly(Optional.empty());
    }
}
