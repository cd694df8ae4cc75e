package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.NginxVerdict;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.Certificates;
import dev.proxystage.internal.plan.StagePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code check} finds for one stage, errors first: the conf.d as the stage parses it, the plan checks against the
 * stage's backends, every TLS planning problem, whatever else {@code StagePlan.prepare} rejects and, unless the check
 * is static, {@code nginx -t} exactly as the stage runs nginx. When nginx has spoken, it is the judge of its own rules:
 * ProxyStage's static reading of them adds no error of its own, and nginx's lines are the errors.
 */
final class StageCheck {

    /** How nginx took part, for the summary line: its verdict, or why it did not run. */
    record Result(List<CheckFinding> findings, Optional<NginxVerdict> nginx, Optional<String> nginxNotRun) {
    }

    /** nginx's verdict, or why there is none (the image is not on the engine, say): the check is then static. */
    private record Asked(Optional<NginxVerdict> verdict, Optional<String> notRun) {
    }

    private static Asked ask(CheckContext run, StageDefinition definition, Optional<NginxConfig> config, boolean withNginx) {
        if (!withNginx) {
            return new Asked(Optional.empty(), Optional.empty());
        }
        try {
            return new Asked(run.nginxTest(definition, config), Optional.empty());
        } catch (ProxyStageException e) {
            return new Asked(Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    private StageCheck() {
    }

    static Result run(StageDefinition definition, CheckContext run, boolean withNginx) {
        NginxConfig config;
        try {
            config = NginxConfig.parse(definition.nginx().parseRequest());
        } catch (ProxyStageException e) {
            // ProxyStage cannot plan the stage without its own reading; nginx, when it is asked, says why in its words.
            Asked asked = ask(run, definition, Optional.empty(), withNginx);
            Optional<NginxVerdict> verdict = asked.verdict();
            if (verdict.isPresent() && !verdict.get().passed()) {
                return new Result(NginxTest.findings(definition, verdict.get(), Optional.empty()), verdict, asked.notRun());
            }
            return new Result(List.of(CheckFinding.error(Rule.NGINX_SYNTAX, e.getMessage())), verdict, asked.notRun());
        }
        List<Problem> problems = StagePlan.check(definition, config);
        Asked asked = ask(run, definition, Optional.of(config), withNginx);
        Optional<NginxVerdict> verdict = asked.verdict();
        if (verdict.isPresent()) {
            problems = StagePlan.withoutNginxErrors(problems, config);
        }
        List<CheckFinding> errors = new ArrayList<>();
        List<CheckFinding> warnings = new ArrayList<>();
        for (Problem problem : problems) {
            (problem.isError() ? errors : warnings).add(CheckFinding.of(problem));
        }
        Certificates.Review tls = Certificates.review(config, definition.tls());
        tls.problems().forEach(line -> errors.add(CheckFinding.error(Rule.TLS_CERTIFICATE, line)));
        tls.loadedPerHandshake().forEach(ref -> warnings.add(CheckFinding.warning(
                Rule.TLS_CERTIFICATE, CheckFinding.where(ref.file(), ref.line()), "certificate path '" + ref.path()
                        + "' holds a variable: nginx loads the certificates of this server per TLS handshake, so the"
                        + " stage neither places nor checks them at start")));
        verdict.ifPresent(v -> NginxTest.findings(definition, v, Optional.of(config)).forEach(f -> (f.error() ? errors : warnings).add(f)));
        if (errors.isEmpty()) {
            try {
                // The prod guard and the rest of what a start refuses; check starts nothing with prod's data.
                StagePlan.checked(definition, true, verdict.map(NginxVerdict::passed).orElse(false)).issuedBy(run.ca());
            } catch (ProxyStageException e) {
                errors.add(CheckFinding.error(Rule.PIPELINE_PLAN, e.getMessage()));
            }
        }
        List<CheckFinding> all = new ArrayList<>(errors);
        all.addAll(warnings);
        return new Result(all, verdict, asked.notRun());
    }
}
