package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.docker.Labels;
import dev.proxystage.internal.nginx.NginxRules;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * {@code check} with an engine: nginx -t in the stage's (offline) nginx image, exactly as the stage runs nginx, judges
 * nginx's rules and is reported at the host file and line; {@code --static} leaves it out.
 */
class CliCheckIT {

    @Test
    void nginxTestReportsNginxsMessageAtTheHostFileAndLine() {
        CliRun run = CliRun.check("nginx-t", "--profile", "offline", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly(CliRun.shown(CliRun.fixture("nginx-t").resolve("conf.d/site.conf"))
                + ":7: nginx -t: unknown directive \"proxy_buffer_sise\"");
        // The version the static rules assume for the offline image is the one it runs.
        assertThat(run.err()).contains("check: nginx -t ran in proxystage/nginx:offline (nginx "
                + NginxRules.OFFLINE_IMAGE_NGINX + ")");
        assertThat(nginxTestContainers()).isEmpty();
    }

    @Test
    void nginxJudgesWhatOnlyItCanKnow() {
        CliRun run = CliRun.check("nginx-judge", "--profile", "offline", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.out()).contains(CliRun.shown(CliRun.fixture("nginx-judge").resolve("conf.d/site.conf")) + ":7: nginx -t: ")
                .contains("dhparams4096.pem");
        assertThat(nginxTestContainers()).isEmpty();
    }

    @Test
    void staticLeavesNginxOut() {
        CliRun run = CliRun.check("nginx-t", "--profile", "offline", "--stage", "prep", "--static");

        assertThat(run.out()).doesNotContain("nginx -t:");
        assertThat(run.err()).doesNotContain("nginx -t ran").doesNotContain("static only");
    }

    @Test
    void nginxTestPassesAGoodTreeWithItsCertificates() {
        CliRun run = CliRun.check("good", "--profile", "offline");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("check: nginx -t ran in proxystage/nginx:offline");
        assertThat(nginxTestContainers()).isEmpty();
    }

    /** nginx -t containers of this JVM still on the engine. */
    private static List<String> nginxTestContainers() {
        return DockerClientFactory.instance().client().listContainersCmd().withShowAll(true)
                .withFilter("label", List.of(Labels.ROLE + "=nginx-test", Labels.PID + "=" + ProcessHandle.current().pid()))
                .exec().stream().map(c -> c.getNames()[0]).toList();
    }
}
