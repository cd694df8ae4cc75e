package dev.proxystage.internal.nginx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large, realistic tree (500 server blocks with includes, variables and upstreams) parses and checks cleanly.
 * Its speed is measured by the benchmark (scripts/bench.sh), not here: timed unit tests are noise on shared machines.
 */
class LargeConfigTest {

    @Test
    void parsesAndChecksFiveHundredServers(@TempDir Path tmp) throws Exception {
        Path confD = tmp.resolve("conf.d");
        Files.createDirectories(confD.resolve("snippets"));
        Files.writeString(confD.resolve("snippets/proxy.conf"), """
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_http_version 1.1;
                """);
        Files.writeString(confD.resolve("00-http.conf"), """
                resolver 127.0.0.11 valid=30s;
                upstream pool { server vaultwarden:80; server whoami:80; }
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                """);
        for (int file = 0; file < 50; file++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                int n = file * 10 + i;
                text.append("""
                        # site %d
                        server {
                            listen 443 ssl http2;
                            listen [::]:443 ssl http2;
                            server_name site%d.example.com "www.site%d.example.com";
                            ssl_certificate /etc/nginx/certs/site%d.crt;
                            ssl_certificate_key /etc/nginx/certs/site%d.key;
                            set $upstream_proto http;
                            location / {
                                include conf.d/snippets/proxy.conf;
                                set $upstream_app vaultwarden;
                                set $upstream_port 80;
                                proxy_pass $upstream_proto://$upstream_app:$upstream_port;
                            }
                            location ~ "^/api/(v1|v2){1}/(?<rest>.*)$" {
                                proxy_pass http://pool;
                            }
                            location = /health { return 200 'ok'; }
                        }
                        """.formatted(n, n, n, n, n));
            }
            Files.writeString(confD.resolve(String.format("site-%03d.conf", file)), text);
        }

        NginxConfig config = NginxConfig.parse(confD);
        List<Problem> problems = StagePlanCheck.check(config, "prep", Set.of("prep", "prod"),
                Set.of("vaultwarden", "whoami"));

        assertThat(config.servers()).hasSize(500);
        assertThat(config.proxyTargets()).hasSize(500 + 500 * 2);
        assertThat(problems).isEmpty();
    }
}
