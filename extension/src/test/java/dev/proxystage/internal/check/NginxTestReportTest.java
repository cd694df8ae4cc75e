package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** nginx -t output, with container paths already mapped to host files, as check lines. */
class NginxTestReportTest {

    private static final Path CONF_D = Path.of("/work/conf.d");

    @Test
    void errorLogFormatBecomesFileLineMessage() {
        String output = """
                2026/11/27 01:00:21 [emerg] 11#11: unknown directive "proxy_buffer_sise" in /work/conf.d/site.conf:7
                nginx: configuration file /etc/nginx/nginx.conf test failed
                """;

        assertThat(NginxTestReport.findings(output, CONF_D)).containsExactly(
                CheckFinding.error(Rule.NGINX_TEST, "/work/conf.d/site.conf:7: nginx -t: unknown directive \"proxy_buffer_sise\""));
    }

    @Test
    void terminalFormatIsLocatedByTheLastIn() {
        String output = "nginx: [emerg] host not found in upstream \"vaultwardn:80\" in /work/conf.d/site.conf:12\n";

        assertThat(NginxTestReport.findings(output, CONF_D)).containsExactly(
                CheckFinding.error(Rule.NGINX_TEST, "/work/conf.d/site.conf:12: nginx -t: host not found in upstream \"vaultwardn:80\""));
    }

    @Test
    void warningsAndUnlocatedMessages() {
        String output = """
                nginx: [warn] the "http2" directive is deprecated in /work/conf.d/site.conf:3
                nginx: [emerg] cannot load certificate "/etc/nginx/certs/x.crt": BIO_new_file() failed
                nginx: configuration file /etc/nginx/nginx.conf test failed
                """;

        assertThat(NginxTestReport.findings(output, CONF_D)).containsExactly(
                CheckFinding.warning(Rule.NGINX_TEST, "/work/conf.d/site.conf:3", "nginx -t: the \"http2\" directive is deprecated"),
                CheckFinding.error(Rule.NGINX_TEST, "/work/conf.d: nginx -t: cannot load certificate \"/etc/nginx/certs/x.crt\": BIO_new_file() failed"));
    }

    @Test
    void anythingElseIsReportedWhole() {
        assertThat(NginxTestReport.findings("sh: 1: nginx: not found", CONF_D))
                .containsExactly(CheckFinding.error(Rule.NGINX_TEST, "sh: 1: nginx: not found"));
    }
}
