package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.runtime.Run;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code check}: validates pipeline.yml and the conf.d plan of one stage or of every stage, with {@code nginx -t} as the
 * judge of nginx's own rules when an engine answers. Prints
 * one line per problem on stdout ({@code file:line: message}; warnings as {@code file:line: warning: message}) and a
 * summary on stderr.
 */
@Command(name = "check", sortOptions = false,
        header = "Validate pipeline.yml and the conf.d plan; nginx -t judges nginx's rules when an engine answers.",
        description = {
                "Checks the pipeline configuration and, for one stage or every stage, the conf.d (syntax, includes),"
                        + " every proxied host against the stage's backends, and the TLS plan (certificate paths,"
                        + " server names). When a Docker engine answers, it also runs 'nginx -t' exactly as the stage"
                        + " runs nginx (its image, files, certificates and command line), and nginx's verdict on its"
                        + " own rules stands; --static skips it. Prints one 'file:line: message' per problem, warnings"
                        + " as 'file:line: warning: message', and a summary on stderr.",
                "Exit codes: 0 valid (warnings allowed), 1 problems, 2 usage error."})
final class CheckCommand implements Callable<Integer> {

    private final Main.Io io;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--stage", paramLabel = "<stage>", description = "Check only this stage (default: every stage).")
    String stage;

    @Option(names = "--static",
            description = "Judge statically only: do not run 'nginx -t' in the stage's nginx image, even when a Docker"
                    + " engine answers.")
    boolean staticOnly;

    @Option(names = "--routes", paramLabel = "<routes.yml>",
            description = "Also check this route table against the pipeline and each stage's conf.d (default: routes.yml"
                    + " beside the pipeline file, when there is one).")
    java.nio.file.Path routes;

    @Mixin
    CommonOptions common;

    CheckCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        List<Finding> findings = new ArrayList<>();
        List<String> stages = check(findings);
        int errors = 0;
        int warnings = 0;
        // Every stage reads the same conf.d: a finding is printed once, naming the stages it holds in.
        for (CheckReport.Line line : CheckReport.lines(findings, stages.size())) {
            io.out().println(Finding.shown(line.text()));
            if (line.error()) {
                errors++;
            } else {
                warnings++;
            }
        }
        io.err().println(summary(stages, errors, warnings));
        return errors > 0 ? Main.PROBLEMS : Main.OK;
    }

    /** Adds the findings and returns the stages checked (none when the pipeline itself is broken). */
    private List<String> check(List<Finding> findings) {
        PipelineConfig pipeline;
        List<String> stages;
        try {
            pipeline = pipelineOptions.load();
            if (stage != null) {
                pipeline.stage(stage);
            }
            stages = stage != null ? List.of(stage) : pipeline.stageNames();
        } catch (ProxyStageException e) {
            // The loader reports every problem of the files, one per line.
            e.getMessage().lines().forEach(line -> findings.add(Finding.error(line)));
            return List.of();
        }
        // Throwaway: issuing the certificates is part of the plan; the key stays in memory, the directory goes.
        try (Run run = Run.open(pipelineOptions.settings(), line -> { })) {
            boolean withNginx = !staticOnly && run.engineAnswers();
            if (!staticOnly && !withNginx) {
                io.err().println("check: static only: no Docker engine answers (" + run.engineAddress() + "), so nginx -t"
                        + " did not run");
            }
            Set<String> images = new LinkedHashSet<>();
            for (String name : stages) {
                StageCheck.Result result = StageCheck.run(pipeline.stage(name), run, withNginx);
                result.findings().forEach(f -> findings.add(f.in(name)));
                result.nginx().ifPresent(v -> images.add(v.image() + v.version().map(ver -> " (nginx " + ver + ")").orElse("")));
                result.nginxNotRun().ifPresent(why -> io.err().println("check: stage " + name + " is checked statically:"
                        + " nginx -t did not run (" + why + ")"));
            }
            if (!images.isEmpty()) {
                io.err().println("check: nginx -t ran in " + String.join(", ", images));
            }
        }
        checkRoutes(pipeline, stages, findings);
        return stages;
    }

    /** The route table, statically: its syntax, its stages, and each checked stage's hosts and backends. */
    private void checkRoutes(PipelineConfig pipeline, List<String> stages, List<Finding> findings) {
        java.nio.file.Path table = routes != null ? routes
                : dev.proxystage.internal.config.RouteTableLoader.besidePipeline(pipelineOptions.config);
        if (routes == null && !java.nio.file.Files.isRegularFile(table)) {
            return;
        }
        dev.proxystage.internal.config.RouteTable loaded;
        try {
            loaded = dev.proxystage.internal.config.RouteTableLoader.load(table);
        } catch (ProxyStageException e) {
            findings.add(Finding.error(e.getMessage()));
            return;
        }
        RouteTableCheck.unknownStages(loaded, pipeline).forEach(p -> findings.add(Finding.error(p)));
        // Stages usually share one conf.d: parse each distinct tree once.
        java.util.Map<dev.proxystage.internal.nginx.ParseRequest, java.util.Optional<dev.proxystage.internal.nginx.NginxConfig>>
                parsed = new java.util.HashMap<>();
        for (String name : stages) {
            var definition = pipeline.stage(name);
            var config = parsed.computeIfAbsent(definition.nginx().parseRequest(), request -> {
                try {
                    return java.util.Optional.of(dev.proxystage.internal.nginx.NginxConfig.parse(request));
                } catch (RuntimeException unparsable) {
                    return java.util.Optional.empty(); // StageCheck has reported it
                }
            }).orElse(null);
            if (config == null) {
                continue;
            }
            RouteTableCheck.problems(loaded, definition, config).forEach(p -> findings.add(Finding.error(p).in(name)));
        }
    }

    private static String summary(List<String> stages, int errors, int warnings) {
        String checked = stages.isEmpty() ? "" : " (" + (stages.size() == 1 ? "stage " : "stages ") + String.join(", ", stages) + ")";
        if (errors == 0) {
            return "check: ok" + checked + (warnings == 0 ? "" : ", " + count(warnings, "warning"));
        }
        return "check: " + count(errors, "error") + (warnings == 0 ? "" : ", " + count(warnings, "warning")) + checked;
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
