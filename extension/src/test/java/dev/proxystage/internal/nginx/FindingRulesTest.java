package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.Problem.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each finding carries the rule it was made under, whatever its words: what check's SARIF log names it by. */
class FindingRulesTest {

    @TempDir
    Path dir;

    private List<Rule> rules(String body, NginxRules.Options options) throws IOException {
        Path file = dir.resolve("conf.d/site.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "server {\n    listen 80;\n    server_name app.example.com;\n" + body + "}\n");
        return NginxRules.check(NginxConfig.parse(dir.resolve("conf.d")), options).stream().map(Problem::rule).toList();
    }

    private List<Rule> rules(String body) throws IOException {
        return rules(body, NginxRules.Options.NONE);
    }

    @Test
    void nginxsOwnRulesNameTheirRule() throws IOException {
        assertThat(rules("    retrun 200;\n")).containsExactly(Rule.NGINX_UNKNOWN_DIRECTIVE);
        assertThat(rules("    location / { listen 81; }\n")).containsExactly(Rule.NGINX_CONTEXT);
        assertThat(rules("    return;\n")).containsExactly(Rule.NGINX_ARGS);
        assertThat(rules("    root /a;\n    root /b;\n")).containsExactly(Rule.NGINX_DUPLICATE);
        assertThat(rules("    gzip maybe;\n")).containsExactly(Rule.NGINX_VALUE);
        assertThat(rules("    http2 on;\n", NginxRules.Options.version("1.22.1"))).containsExactly(Rule.NGINX_VERSION);
        assertThat(rules("    brand_new_directive on;\n", NginxRules.Options.version("1.29.0")))
                .containsExactly(Rule.NGINX_VERSION);
        assertThat(rules("    return 200;\n")).isEmpty();
    }

    @Test
    void theStagesChecksNameTheirRule() throws IOException {
        Path file = dir.resolve("conf.d/site.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                server {
                    listen 80;
                    location /a { proxy_pass http://vaultwardn:80; }
                    location /b { proxy_pass http://app-prep:80; }
                    location /c { proxy_pass http://127.0.0.1:9000; }
                    location /d { proxy_set_header Host a; proxy_set_header Host b; proxy_pass http://app:80; }
                }
                """);
        List<Problem> problems = StagePlanCheck.check(NginxConfig.parse(dir.resolve("conf.d")), "prep",
                Set.of("wip", "prep"), Set.of("app", "spare"));

        assertThat(problems).extracting(Problem::rule).contains(Rule.BACKEND_UNKNOWN, Rule.BACKEND_STAGE_SUFFIX,
                Rule.BACKEND_LOCAL, Rule.BACKEND_UNUSED, Rule.NGINX_HEADERS);
        assertThat(problems).filteredOn(p -> p.message().contains("vaultwardn")).extracting(Problem::rule)
                .containsOnly(Rule.BACKEND_UNKNOWN);
    }
}
