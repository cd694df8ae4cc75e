package dev.proxystage.internal.runtime;

import dev.proxystage.Settings;
import dev.proxystage.internal.check.PipelineCheck;
import dev.proxystage.internal.check.SarifReport;
import dev.proxystage.internal.nginx.Problem.Rule;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code check}: pipeline.yml, each stage's conf.d, plan and TLS, {@code nginx -t} when an engine answers, and the route
 * table, in a throwaway run; the report is one line per finding.
 */
public final class CheckRun {

    /**
     * One line of the report: {@code file:line: message}, or {@code file:line: warning: message}; {@code rule} is
     * what it is about ({@code nginx-unknown-directive}), as the SARIF log names it.
     */
    public record Line(boolean error, String rule, String text) {
    }

    /**
     * What {@code check} found.
     *
     * @param stages the stages checked (none when the pipeline itself is broken)
     */
    public record Report(List<String> stages, List<Line> lines) {

        public long errors() {
            return lines.stream().filter(Line::error).count();
        }

        public long warnings() {
            return lines.size() - errors();
        }

        /** The report as a SARIF 2.1.0 log, its paths relative to {@code projectRoot}. */
        public String sarif(Path projectRoot) {
            return SarifReport.of(lines.stream().map(l -> new SarifReport.Finding(l.error(), Rule.of(l.rule()), l.text())).toList(),
                    projectRoot, Optional.ofNullable(CheckRun.class.getPackage().getImplementationVersion()));
        }
    }

    private CheckRun() {
    }

    /**
     * Checks the pipeline that {@code pipeline} loads (a failure to load is the report) on the engine {@code settings}
     * name; {@code notes} gets the lines that say how nginx took part.
     *
     * @param stage      only this stage; every stage when empty
     * @param staticOnly leave {@code nginx -t} out even when an engine answers
     * @param routes     the route table; when empty, {@code routes.yml} beside the pipeline file, if there is one
     */
    public static Report check(Settings settings, Supplier<Pipeline> pipeline, Optional<String> stage, boolean staticOnly,
                               Optional<Path> routes, Consumer<String> notes) {
        PipelineCheck.Result result = PipelineCheck.run(
                new PipelineCheck.Request(settings.config(), stage, staticOnly, routes),
                () -> pipeline.get().config(), () -> Run.open(settings, line -> { }), notes);
        return new Report(result.stages(), result.lines().stream().map(l -> new Line(l.error(), l.rule().id(), l.text()))
                .toList());
    }
}
