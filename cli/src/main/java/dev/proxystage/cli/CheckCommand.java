package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.runtime.CheckRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
    Path routes;

    /** How the findings are written. */
    enum Format { text, sarif }

    @Option(names = "--format", paramLabel = "<format>", defaultValue = "text",
            description = "text (one 'file:line: message' per finding, the default) or sarif (a SARIF 2.1.0 log for"
                    + " code scanning, paths relative to the working directory).")
    Format format;

    @Option(names = "--output", paramLabel = "<file>",
            description = "Write the findings to this file instead of stdout (the summary stays on stderr).")
    Path output;

    @Mixin
    CommonOptions common;

    CheckCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        CheckRun.Report report = CheckRun.check(pipelineOptions.settings(), pipelineOptions::load,
                Optional.ofNullable(stage), staticOnly, Optional.ofNullable(routes), io.err()::println);
        StringBuilder written = new StringBuilder();
        if (format == Format.sarif) {
            written.append(report.sarif(Path.of("")));
        } else {
            // Every stage reads the same conf.d: a finding is printed once, naming the stages it holds in.
            for (CheckRun.Line line : report.lines()) {
                written.append(Main.shown(line.text())).append(System.lineSeparator());
            }
        }
        if (output == null) {
            io.out().print(written);
            io.out().flush();
        } else {
            try {
                Path dir = output.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                Files.writeString(output, written);
            } catch (IOException e) {
                throw new ProxyStageException("cannot write " + output + ": " + e.getMessage());
            }
        }
        io.err().println(summary(report.stages(), report.errors(), report.warnings()));
        return report.errors() > 0 ? Main.PROBLEMS : Main.OK;
    }

    private static String summary(List<String> stages, long errors, long warnings) {
        String checked = stages.isEmpty() ? "" : " (" + (stages.size() == 1 ? "stage " : "stages ") + String.join(", ", stages) + ")";
        if (errors == 0) {
            return "check: ok" + checked + (warnings == 0 ? "" : ", " + count(warnings, "warning"));
        }
        return "check: " + count(errors, "error") + (warnings == 0 ? "" : ", " + count(warnings, "warning")) + checked;
    }

    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
