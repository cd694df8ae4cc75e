package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.RouteTableFile;
import dev.proxystage.internal.config.RouteTableLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code check} of a pipeline: pipeline.yml, then for one stage or every stage its conf.d, plan and TLS, with
 * {@code nginx -t} as the judge of nginx's own rules when an engine answers ({@link StageCheck}), then the route table.
 * Every stage reads the same conf.d: a finding is one line, naming the stages it holds in ({@link CheckReport}).
 */
public final class PipelineCheck {

    /**
     * What to check.
     *
     * @param config     the pipeline file, beside which {@code routes.yml} is looked for
     * @param stage      only this stage; every stage when empty
     * @param staticOnly whether {@code nginx -t} is left out even when an engine answers
     * @param routes     the route table given; when empty, {@code routes.yml} beside the pipeline, if there is one
     */
    public record Request(Path config, Optional<String> stage, boolean staticOnly, Optional<Path> routes) {
    }

    /**
     * What {@code check} found.
     *
     * @param stages the stages checked (none when the pipeline itself is broken)
     * @param lines  one per finding, in the order the findings first appear
     */
    public record Result(List<String> stages, List<CheckReport.Line> lines) {
    }

    private PipelineCheck() {
    }

    /**
     * Checks the pipeline {@code pipeline} loads (its problems are findings) in a throwaway run that {@code openRun}
     * opens: issuing the certificates is part of the plan; the key stays in memory, the directory goes. {@code notes}
     * gets the lines that say how nginx took part.
     */
    public static Result run(Request request, Supplier<PipelineConfig> pipeline, Supplier<? extends CheckContext> openRun,
                             Consumer<String> notes) {
        List<CheckFinding> findings = new ArrayList<>();
        List<String> stages = check(request, pipeline, openRun, notes, findings);
        return new Result(stages, CheckReport.lines(findings, stages.size()));
    }

    /** Adds the findings and returns the stages checked (none when the pipeline itself is broken). */
    private static List<String> check(Request request, Supplier<PipelineConfig> load,
                                      Supplier<? extends CheckContext> openRun, Consumer<String> notes,
                                      List<CheckFinding> findings) {
        PipelineConfig pipeline;
        List<String> stages;
        try {
            pipeline = load.get();
            request.stage().ifPresent(pipeline::stage);
            stages = request.stage().map(List::of).orElseGet(pipeline::stageNames);
        } catch (ProxyStageException e) {
            // The loader reports every problem of the files, one per line.
            e.getMessage().lines().forEach(line -> findings.add(CheckFinding.error(Rule.PIPELINE_CONFIG, line)));
            return List.of();
        }
        try (CheckContext run = openRun.get()) {
            boolean withNginx = !request.staticOnly() && run.engineAnswers();
            if (!request.staticOnly() && !withNginx) {
                notes.accept("check: static only: no Docker engine answers (" + run.engineAddress() + "), so nginx -t"
                        + " did not run");
            }
            Set<String> images = new LinkedHashSet<>();
            for (String name : stages) {
                StageCheck.Result result = StageCheck.run(pipeline.stage(name), run, withNginx);
                result.findings().forEach(f -> findings.add(f.in(name)));
                result.nginx().ifPresent(v -> images.add(v.image() + v.version().map(ver -> " (nginx " + ver + ")").orElse("")));
                result.nginxNotRun().ifPresent(why -> notes.accept("check: stage " + name + " is checked statically:"
                        + " nginx -t did not run (" + why + ")"));
            }
            if (!images.isEmpty()) {
                notes.accept("check: nginx -t ran in " + String.join(", ", images));
            }
        }
        checkRoutes(request, pipeline, stages, findings);
        return stages;
    }

    /** The route table, statically: its syntax, its stages, and each checked stage's hosts and backends. */
    private static void checkRoutes(Request request, PipelineConfig pipeline, List<String> stages,
                                    List<CheckFinding> findings) {
        Path table = request.routes().orElseGet(() -> RouteTableLoader.besidePipeline(request.config()));
        if (request.routes().isEmpty() && !Files.isRegularFile(table)) {
            return;
        }
        RouteTableFile loaded;
        try {
            loaded = RouteTableLoader.load(table);
        } catch (ProxyStageException e) {
            findings.add(CheckFinding.error(Rule.ROUTES_TABLE, e.getMessage()));
            return;
        }
        RouteTableCheck.unknownStages(loaded, pipeline).forEach(p -> findings.add(CheckFinding.error(Rule.ROUTES_STAGE, p)));
        // Stages usually share one conf.d: parse each distinct tree once.
        Map<ParseRequest, Optional<NginxConfig>> parsed = new HashMap<>();
        for (String name : stages) {
            StageDefinition definition = pipeline.stage(name);
            Optional<NginxConfig> config = parsed.computeIfAbsent(definition.nginx().parseRequest(), parse -> {
                try {
                    return Optional.of(NginxConfig.parse(parse));
                } catch (RuntimeException unparsable) {
                    return Optional.empty(); // StageCheck has reported it
                }
            });
            config.ifPresent(c -> RouteTableCheck.problems(loaded, definition, c)
                    .forEach(p -> findings.add(CheckFinding.error(Rule.ROUTES_CONF, p).in(name))));
        }
    }
}
