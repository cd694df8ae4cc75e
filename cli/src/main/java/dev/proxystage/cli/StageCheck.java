package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.Certificates;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.StagePlan;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code check} finds for one stage, errors first: the conf.d as the stage parses it, the plan checks against the
 * stage's backends, every TLS planning problem, whatever else {@code StagePlan.prepare} rejects, and optionally
 * {@code nginx -t} in the stage's own image ({@link NginxTest}).
 */
final class StageCheck {

    private StageCheck() {
    }

    static List<Finding> run(StageDefinition definition, TestCertificateAuthority ca, boolean nginxTest) {
        NginxConfig config;
        try {
            config = NginxConfig.parse(definition.nginx().parseRequest());
        } catch (ProxyStageException e) {
            // The parser stops at the first break; nothing below can be checked without a tree.
            return List.of(Finding.error(e.getMessage()));
        }
        List<Finding> errors = new ArrayList<>();
        List<Finding> warnings = new ArrayList<>();
        for (Problem problem : StagePlan.check(definition, config)) {
            (problem.isError() ? errors : warnings).add(Finding.of(problem));
        }
        Certificates.problems(config, definition.tls()).forEach(line -> errors.add(Finding.error(line)));
        if (errors.isEmpty()) {
            StagePlan plan = null;
            try {
                plan = prepare(definition, ca);
            } catch (ProxyStageException e) {
                errors.add(Finding.error(e.getMessage()));
            }
            if (plan != null && nginxTest) {
                List<Finding> nginx;
                try {
                    nginx = NginxTest.run(plan);
                } catch (RuntimeException e) {
                    nginx = List.of(Finding.error(definition.nginx().confDir() + ": nginx -t: " + Main.describe(e)));
                }
                for (Finding finding : nginx) {
                    (finding.error() ? errors : warnings).add(finding);
                }
            }
        }
        List<Finding> all = new ArrayList<>(errors);
        all.addAll(warnings);
        return all;
    }

    /**
     * {@code StagePlan.prepare}. The prod stage runs only when allowed; check starts nothing with its data (nginx -t
     * mounts no data), so it plans prod as allowed, and still reports what the prod guard rejects in its
     * configuration.
     */
    private static StagePlan prepare(StageDefinition definition, TestCertificateAuthority ca) {
        return StagePlan.prepare(definition, ca, true);
    }
}
