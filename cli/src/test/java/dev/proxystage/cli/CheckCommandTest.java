package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code check} over the fixture trees in {@code src/test/resources/cli}: a good tree passes, each broken one gives
 * exit 1 and a {@code file:line:} line that points at the exact place, warnings do not fail, and nothing is a stack
 * trace.
 */
class CheckCommandTest {

    private static String conf(String fixture, String file) {
        return CliRun.shown(CliRun.fixture(fixture).resolve("conf.d").resolve(file));
    }

    @Test
    void goodTreePassesForEveryStage() {
        CliRun run = CliRun.check("good");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: ok (stages wip, prep, prod)\n");
        // Checking prod starts nothing with its data: no opt-in needed, and none left behind.
        assertThat(System.getProperty("proxystage.allowProd")).isNull();
    }

    @Test
    void theExampleProjectsPipelinePasses() {
        CliRun run = CliRun.of("check", "--config", Path.of("../example-tests/pipeline.yml").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.err()).startsWith(CliRun.STATIC_ONLY + "check: ok (stages ");
    }

    @Test
    void goodTreePassesWithItsProfileAndOneStage() {
        CliRun run = CliRun.check("good", "--profile", "offline", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: ok (stage prep)\n");
    }

    @Test
    void unknownUpstreamNamesFileLineHostStageAndBackends() {
        CliRun run = CliRun.check("unknown-upstream", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly(
                conf("unknown-upstream", "site.conf") + ":6: upstream host 'vaultwardn' is not a backend of stage 'prep'"
                        + " (known backends: vaultwarden)",
                CliRun.shown(CliRun.fixture("unknown-upstream").resolve("conf.d")) + ": warning: backend 'vaultwarden' of stage 'prep'"
                        + " is not used by any proxy_pass");
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: 1 error, 1 warning (stage prep)\n");
    }

    @Test
    void everyStageIsCheckedWhenNoneIsNamed() {
        CliRun run = CliRun.check("unknown-upstream");

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        // The same findings in both stages: one line each, naming both.
        assertThat(run.outLines()).containsExactly(
                conf("unknown-upstream", "site.conf") + ":6: upstream host 'vaultwardn' is not a backend of stages wip,"
                        + " prep (known backends: vaultwarden)",
                CliRun.shown(CliRun.fixture("unknown-upstream").resolve("conf.d")) + ": warning: backend 'vaultwarden' of stages wip,"
                        + " prep is not used by any proxy_pass");
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: 1 error, 1 warning (stages wip, prep)\n");
    }

    @Test
    void stageSuffixedHostAsksForTheSharedName() {
        CliRun run = CliRun.check("stage-suffix");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        // The same finding in both stages is one line, naming them.
        assertThat(run.outLines()).containsExactly(conf("stage-suffix", "site.conf") + ":6: host 'vaultwarden-prep'"
                + " carries a stage suffix; use the shared name 'vaultwarden' (each stage's network resolves it)"
                + " (stages wip, prep)");
    }

    @Test
    void missingIncludeIsReportedWhereItIsIncluded() {
        CliRun run = CliRun.check("missing-include", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).singleElement().asString()
                .startsWith(conf("missing-include", "site.conf") + ":7: ")
                .contains("/etc/nginx/conf.d/snippets/proxy-headers.conf");
    }

    @Test
    void sslWithoutCertificateIsReportedAtItsServerBlock() {
        CliRun run = CliRun.check("ssl-no-cert", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly(conf("ssl-no-cert", "site.conf")
                + ":7: server 'vw.example.com' listens with ssl but has no ssl_certificate");
    }

    @Test
    void regexServerNameThatCannotBeDerivedIsReportedAtItsServerName() {
        CliRun run = CliRun.check("regex-name", "--stage", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).singleElement().asString()
                .startsWith(conf("regex-name", "site.conf") + ":3: server_name \"~^(?!www\\.)(?<app>.+)\\.example\\.com$\" is a"
                        + " regular expression that uses a lookahead")
                .contains("tls: { testNames: {");
    }

    @Test
    void everyProblemOfATreeIsReportedAtOnce() {
        CliRun run = CliRun.check("several", "--stage", "prep");
        String site = conf("several", "site.conf");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).hasSize(5);
        assertThat(run.outLines().get(0)).startsWith(site + ":7: upstream host 'vaultwardn'");
        assertThat(run.outLines().get(1)).startsWith(site + ":19: host 'admin-prep' carries a stage suffix");
        assertThat(run.outLines().get(2)).isEqualTo(site + ":2: server 'vw.example.com' listens with ssl but has no ssl_certificate");
        assertThat(run.outLines().get(3)).startsWith(site + ":13: server_name \"~^(?!www\\.)(?<app>.+)\\.example\\.com$\"");
        assertThat(run.outLines().get(4)).startsWith(CliRun.shown(CliRun.fixture("several").resolve("conf.d")) + ": warning: ");
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: 4 errors, 1 warning (stage prep)\n");
    }

    @Test
    void warningsAloneDoNotFail() {
        CliRun run = CliRun.check("unused-backend");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.outLines()).containsExactly(CliRun.shown(CliRun.fixture("unused-backend").resolve("conf.d"))
                + ": warning: backend 'admin' of stage 'prep' is not used by any proxy_pass");
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: ok (stage prep), 1 warning\n");
    }

    @Test
    void pipelineErrorNamesFileLineColumnAndKey() {
        CliRun run = CliRun.check("bad-yaml");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).singleElement().asString()
                .startsWith(CliRun.shown(CliRun.fixture("bad-yaml").resolve("pipeline.yml")) + ":8:")
                .contains("unknown key 'backends.vaultwarden.prot'");
        assertThat(run.err()).isEqualTo("check: 1 error\n");
    }

    @Test
    void unknownStageListsTheKnownOnes() {
        CliRun run = CliRun.check("good", "--stage", "prp");

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly("stage 'prp' is not in pipeline.yml (known: wip, prep, prod)");
    }

    @Test
    void missingPipelineFileNamesThePathItLookedFor() {
        Path missing = CliRun.fixture("nowhere").resolve("pipeline.yml");
        CliRun run = CliRun.of("check", "--config", missing.toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly("pipeline configuration not found: " + CliRun.shown(missing)
                + " (pass --config <path>)");
    }

    @Test
    void missingProfileOverlayIsOneLine() {
        CliRun run = CliRun.check("unused-backend", "--profile", "offline");

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).singleElement().asString().contains("pipeline-offline.yml");
    }

    @Test
    void noOutputEverContainsAStackTrace() {
        for (String fixture : new String[] {"good", "unknown-upstream", "stage-suffix", "missing-include", "ssl-no-cert",
                "regex-name", "several", "unused-backend", "bad-yaml"}) {
            CliRun run = CliRun.check(fixture);
            assertThat(run.out() + run.err()).as(fixture).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void nginxsOwnRulesAreReportedWhereEachDirectiveIs() {
        CliRun run = CliRun.check("nginx-rules", "--stage", "prep");

        String site = conf("nginx-rules", "site.conf");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly(
                site + ":2: \"location\" directive is not allowed here (in http; nginx allows it in server, location)",
                site + ":7: a duplicate default server for 0.0.0.0:80 (the first is at "
                        + conf("nginx-rules", "default.conf") + ":2); nginx refuses to start",
                site + ":19: warning: conflicting server name \"vw.example.com\" on 0.0.0.0:80, ignored: the server at "
                        + site + ":8 claims it first, so nginx never routes it here",
                site + ":12: warning: Host is set twice for location / of server vw.example.com: here and at "
                        + CliRun.shown(CliRun.fixture("nginx-rules").resolve("snippets/proxy.conf")) + ":2 (the backend receives two"
                        + " Host headers)",
                site + ":13: warning: proxy_pass sends to vaultwarden:80, but backend 'vaultwarden' of stage 'prep'"
                        + " serves on port 8080 (its port in the pipeline)");
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: 2 errors, 3 warnings (stage prep)\n");
    }

    @Test
    void aListenWithoutAnIpAddressIsOneError() {
        CliRun run = CliRun.check("bad-listen");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.outLines()).containsExactly(conf("bad-listen", "site.conf") + ":2: host not found in \"abc\" of"
                + " the \"listen\" directive (listen takes an IP address, \"*\" or a port)");
        assertThat(run.err()).isEqualTo(CliRun.STATIC_ONLY + "check: 1 error (stage prep)\n");
    }
}
