package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Severity;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StagePlanCheckTest {

    private final Path confD = Corpus.dir("plan/conf.d");
    private final Path app = confD.resolve("app.conf");
    private final NginxConfig plan = Corpus.parse("plan");

    private List<String> check(NginxConfig config, Set<String> backends) {
        return StagePlanCheck.check(config, "prep", Set.of("dev", "prep", "prod"), backends).stream()
                .map(p -> p.severity() + " " + p).toList();
    }

    @Test
    void reportsEveryProblemAtTheLineWhereTheHostIsWritten() {
        assertThat(check(plan, Set.of("vaultwarden", "whoami", "gitea", "unused"))).containsExactly(
                "ERROR " + app + ":2: upstream host 'foo' is not a backend of stage 'prep' "
                        + "(known backends: gitea, unused, vaultwarden, whoami)",
                "ERROR " + app + ":3: host 'vaultwarden-prep' carries a stage suffix; use the shared name "
                        + "'vaultwarden' (each stage's network resolves it)",
                "ERROR " + app + ":14: host 'vaultwarden-dev' carries a stage suffix; use the shared name "
                        + "'vaultwarden' (each stage's network resolves it)",
                "WARNING " + app + ":17: host '10.0.0.5' is a literal IP address, not reachable as a stage backend; "
                        + "route to a backend alias",
                "WARNING " + app + ":20: host 'localhost' is the nginx container itself, not reachable as a stage "
                        + "backend (no server of this configuration listens on port 3000 there); route to a backend"
                        + " alias",
                "WARNING " + app + ":24: proxy_pass uses variables, so nginx resolves its host per request, but no "
                        + "resolver is set for it; the stage needs \"resolver 127.0.0.11;\" (Docker's DNS, which "
                        + "knows the backends)",
                "WARNING " + app + ":27: cannot resolve proxy_pass target \"http://$http_x_target\": $http_x_target "
                        + "is not set by any \"set\" or \"map\" in scope, so ProxyStage cannot check where it routes",
                "WARNING " + app + ":27: proxy_pass uses variables, so nginx resolves its host per request, but no "
                        + "resolver is set for it; the stage needs \"resolver 127.0.0.11;\" (Docker's DNS, which "
                        + "knows the backends)",
                "WARNING " + app + ":30: resolver 8.8.8.8 cannot resolve stage backends; the stage must use Docker's "
                        + "DNS 127.0.0.11",
                "WARNING " + confD + ": backend 'unused' of stage 'prep' is not used by any proxy_pass");
    }

    @Test
    void aVariableInThePassesUriAloneStillMakesNginxResolveTheHostPerRequest(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        // gitea's sub-path recipe with the container's name for 127.0.0.1: nginx answers 502 "no resolver defined".
        Path conf = java.nio.file.Files.createDirectories(dir.resolve("conf.d")).resolve("gitea.conf");
        java.nio.file.Files.writeString(conf, """
                upstream app { server app:8080; }
                server {
                    listen 80;
                    location /git/ { proxy_pass http://gitea:3000$uri; }
                    location /app/ { proxy_pass http://app$uri; }
                    location /ip/ { proxy_pass http://127.0.0.1:3000$uri; }
                }
                """);

        assertThat(check(NginxConfig.parse(dir.resolve("conf.d")), Set.of("gitea", "app"))).containsExactly(
                "WARNING " + conf + ":4: proxy_pass uses variables, so nginx resolves its host per request, but no "
                        + "resolver is set for it; the stage needs \"resolver 127.0.0.11;\" (Docker's DNS, which "
                        + "knows the backends)",
                "WARNING " + conf + ":6: host '127.0.0.1' is the nginx container itself, not reachable as a stage "
                        + "backend (no server of this configuration listens on port 3000 there); route to a backend"
                        + " alias");
    }

    @Test
    void problemsCarrySeverityFileAndLine() {
        Problem first = StagePlanCheck.check(plan, "prep", Set.of("prep"), Set.of("vaultwarden")).get(0);
        assertThat(first.severity()).isEqualTo(Severity.ERROR);
        assertThat(first.isError()).isTrue();
        assertThat(first.file()).isEqualTo(app);
        assertThat(first.line()).isEqualTo(2);
        assertThat(first.message()).isEqualTo("upstream host 'foo' is not a backend of stage 'prep' "
                + "(known backends: vaultwarden)");
        assertThat(first.toString()).isEqualTo(app + ":2: " + first.message());
    }

    @Test
    void aSuffixOfAnyStageCountsAndTheLongestStageNameWins() {
        List<Problem> problems = StagePlanCheck.check(plan, "qa", Set.of("qa", "prep", "dev"), Set.of("vaultwarden"));
        assertThat(problems).filteredOn(p -> p.message().contains("stage suffix")).extracting(Problem::message)
                .containsExactly(
                        "host 'vaultwarden-prep' carries a stage suffix; use the shared name 'vaultwarden' "
                                + "(each stage's network resolves it)",
                        "host 'vaultwarden-dev' carries a stage suffix; use the shared name 'vaultwarden' "
                                + "(each stage's network resolves it)");
    }

    @Test
    void aSwagStyleConfigWithItsBackendDeclaredOnlyWarnsAboutTheUnresolvableVariable() {
        Path root = Corpus.dir("swag");
        NginxConfig swag = NginxConfig.parse(ParseRequest.of(root.resolve("conf.d"))
                .withFiles(Map.of("/config/nginx", root.resolve("nginx"))));
        List<Problem> problems = StagePlanCheck.check(swag, "prep", Set.of("prep", "prod"), Set.of("vaultwarden"));
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.severity()).isEqualTo(Severity.WARNING);
            assertThat(p.file()).isEqualTo(root.resolve("conf.d/vaultwarden.subdomain.conf"));
            assertThat(p.line()).isEqualTo(33);
            assertThat(p.message()).startsWith("cannot resolve proxy_pass target \"http://$http_x_backend\"");
        });
    }

    @Test
    void aSwagStyleConfigPointsAtTheSetLineOfAWrongHost() {
        Path root = Corpus.dir("swag");
        NginxConfig swag = NginxConfig.parse(ParseRequest.of(root.resolve("conf.d"))
                .withFiles(Map.of("/config/nginx", root.resolve("nginx"))));
        List<Problem> problems = StagePlanCheck.check(swag, "prep", Set.of("prep"), Set.of("bitwarden"));
        Path file = root.resolve("conf.d/vaultwarden.subdomain.conf");
        // nginx resolves a host in a variable per request: it starts, so these are warnings, at the set line.
        assertThat(problems).filteredOn(Problem::isError).isEmpty();
        assertThat(problems).extracting(Problem::toString).contains(
                file + ":16: upstream host 'vaultwarden' is not a backend of stage 'prep' (known backends: bitwarden);"
                        + " nginx resolves it per request, so it starts, and requests that reach it fail (502)",
                file + ":27: upstream host 'vaultwarden' is not a backend of stage 'prep' (known backends: bitwarden);"
                        + " nginx resolves it per request, so it starts, and requests that reach it fail (502)");
    }

    @Test
    void aCleanConfigHasNoProblems() {
        NginxConfig basic = Corpus.parse("basic");
        List<Problem> problems = StagePlanCheck.check(basic, "prep", Set.of("prep"),
                Set.of("vaultwarden", "api", "common"));
        // Only the two X-Order headers (the include-order snippets), the upstream's [::1] backup server, the
        // fallback's $request_uri and the map's variable host (both without a resolver) are worth a word.
        assertThat(problems).extracting(Problem::severity).containsOnly(Severity.WARNING);
        assertThat(problems).extracting(Problem::line).containsExactly(1, 5, 37, 47);
        assertThat(problems.get(0).message()).startsWith("X-Order is set twice for location /common of server app.example.com");
    }
}
