package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import dev.proxystage.internal.runtime.Pipeline;
import dev.proxystage.internal.runtime.RouteTableRun;
import dev.proxystage.internal.runtime.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code routes}: brings a stage up through the one start path, runs a route table against it, prints one line per
 * route, optionally writes JUnit XML, and takes the stage down. Stage validation without a Java test project.
 */
@Command(name = "routes", sortOptions = false,
        description = {"Bring up one stage (or several, one after another), run a route table (routes.yml) against it,"
                + " and take it down.",
                "One line per route (PASS/FAIL, with the trace and the stage's logs on failure); exit 1 on any failure.",
                "With --same-as, a promotion gate: exit 1 when a stage answers a route differently from that stage,"
                        + " unless the table says it differs on purpose."})
final class RoutesCommand implements Callable<Integer> {

    private final Main.Io io;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--stage", paramLabel = "<stage>", description = "The stage (default: defaultStage of the pipeline).")
    String stage;

    @Option(names = "--stages", split = ",", paramLabel = "<stage>",
            description = "Several stages, one after another (comma-separated): one matrix of route × stage.")
    List<String> stages;

    @Option(names = "--same-as", paramLabel = "<stage>",
            description = "The promotion gate: every other stage must answer each route as this one does (run first).")
    String sameAs;

    @Option(names = "--routes", paramLabel = "<routes.yml>", description = "The route table (default: routes.yml beside the pipeline file).")
    Path routes;

    @Option(names = "--junit-xml", paramLabel = "<file>",
            description = "Also write the results as JUnit XML, for CI, and beside it the run's report (index.html) and"
                    + " conf.d coverage (coverage.json).")
    Path junitXml;

    @Mixin
    CommonOptions common;

    RoutesCommand(Main.Io io) {
        this.io = io;
    }

    /** One route's outcome. */
    record Result(String name, boolean passed, String failure, double seconds) {
    }

    @Override
    public Integer call() {
        Settings settings = pipelineOptions.settings();
        Pipeline pipeline = pipelineOptions.load(settings);
        List<String> stageNames = stageNames(pipeline);
        Path tableFile = routes != null ? routes : RouteTableRun.besidePipeline(pipelineOptions.config);
        // Everything that can be wrong in the input fails here, before anything starts.
        RouteTableRun table = RouteTableRun.load(tableFile, pipeline);

        Map<String, List<Result>> byStage = new LinkedHashMap<>();
        List<RouteTableRun.Gate> gates = new ArrayList<>();
        Path report = null;
        try (Run run = Run.open(settings, line -> io.err().println(line))) {
            for (String stageName : stageNames) {
                byStage.put(stageName, runStage(run, settings, table, stageName));
            }
            if (sameAs != null) {
                stageNames.stream().filter(s -> !s.equals(sameAs)).forEach(s -> gates.add(RouteTableRun.gate(run, s, sameAs)));
            }
            if (junitXml != null) {
                // coverage.json first: the report renders the one beside it
                Path dir = junitXml.toAbsolutePath().normalize().getParent();
                run.writeCoverage(dir.resolve(Run.COVERAGE_FILE));
                report = run.writeReport(dir);
            }
        }
        gates.forEach(g -> g.lines().forEach(io.out()::println));
        if (junitXml != null) {
            writeJunitXml(junitXml, tableFile, byStage);
            io.err().println("report: " + report);
        }
        boolean failed = byStage.values().stream().flatMap(List::stream).anyMatch(r -> !r.passed());
        boolean blocked = gates.stream().anyMatch(g -> !g.promotable());
        return failed || blocked ? Main.PROBLEMS : Main.OK;
    }

    /** --stage, or --stages; with --same-as, its stage first when not named. */
    private List<String> stageNames(Pipeline pipeline) {
        if (stage != null && stages != null && !stages.isEmpty()) {
            throw new ProxyStageException("--stage and --stages name the stages twice: give one of them");
        }
        Set<String> names = new LinkedHashSet<>();
        if (sameAs != null) {
            names.add(pipelineOptions.select(pipeline, sameAs));
        }
        if (stages != null && !stages.isEmpty()) {
            stages.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(s -> names.add(pipelineOptions.select(pipeline, s)));
        } else {
            names.add(pipelineOptions.select(pipeline, stage));
        }
        if (sameAs != null && names.size() < 2) {
            throw new ProxyStageException("--same-as " + sameAs + " needs another stage to compare (--stage or --stages)");
        }
        return List.copyOf(names);
    }

    /** Starts {@code stageName}, runs the table's routes on it and takes it down: one result per route. */
    private List<Result> runStage(Run run, Settings settings, RouteTableRun table, String stageName) {
        List<RouteTableRun.Check> checks = table.checks(stageName);
        List<Result> results = new ArrayList<>();
        try (Stage started = run.start(settings, stageName)) {
            for (RouteTableRun.Check check : checks) {
                var mark = run.testStarted(started);
                long t = System.nanoTime();
                try {
                    check.check().accept(started);
                    results.add(new Result(check.name(), true, "", seconds(t)));
                    run.testEnded(started, "routes › " + check.name(), Optional.empty(), "", seconds(t));
                    io.out().println("PASS " + prefix(stageName) + check.name());
                } catch (AssertionError | RuntimeException failure) {
                    String diagnostics = run.diagnosticsSince(started, mark, Thread.currentThread().getName());
                    String message = Main.describe(failure).replaceFirst("^failed: AssertionError: ", "");
                    String text = message + (diagnostics.isEmpty() ? "" : "\n" + diagnostics);
                    results.add(new Result(check.name(), false, text, seconds(t)));
                    run.testEnded(started, "routes › " + check.name(), Optional.of(failure), diagnostics, seconds(t));
                    io.out().println("FAIL " + prefix(stageName) + check.name() + ": " + message);
                    diagnostics.lines().forEach(l -> io.out().println("    " + l));
                } finally {
                    run.testFinished(started);
                }
            }
            // Which server blocks and locations the table reached, by file:line; the stage is still up for late traces.
            run.coverage(settings, started).forEach(io.err()::println);
        }
        long failed = results.stream().filter(r -> !r.passed()).count();
        io.err().println(String.format(Locale.ROOT, "%d routes on stage %s: %d passed, %d failed (%d skipped in this stage)",
                results.size(), stageName, results.size() - failed, failed, table.size() - checks.size()));
        return results;
    }

    /** With several stages, each line names its stage. */
    private String prefix(String stageName) {
        return (stages != null && stages.size() > 1) || sameAs != null ? "[" + stageName + "] " : "";
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static void writeJunitXml(Path file, String stage, Path table, List<Result> results) {
        writeJunitXml(file, table, Map.of(stage, results));
    }

    /** One testsuite per stage; several stages are wrapped in {@code testsuites}. */
    static void writeJunitXml(Path file, Path table, Map<String, List<Result>> byStage) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                XMLStreamWriter xml = XMLOutputFactory.newInstance().createXMLStreamWriter(out, "UTF-8");
                xml.writeStartDocument("UTF-8", "1.0");
                if (byStage.size() > 1) {
                    xml.writeStartElement("testsuites");
                }
                for (var entry : byStage.entrySet()) {
                    suite(xml, entry.getKey(), table, entry.getValue());
                }
                if (byStage.size() > 1) {
                    xml.writeEndElement();
                }
                xml.writeEndDocument();
                xml.close();
            }
        } catch (IOException | XMLStreamException e) {
            throw new ProxyStageException("cannot write " + file + ": " + e.getMessage());
        }
    }

    private static void suite(XMLStreamWriter xml, String stage, Path table, List<Result> results) throws XMLStreamException {
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", "routes " + stage);
        xml.writeAttribute("tests", Integer.toString(results.size()));
        xml.writeAttribute("failures", Long.toString(results.stream().filter(r -> !r.passed()).count()));
        xml.writeAttribute("errors", "0");
        xml.writeAttribute("skipped", "0");
        xml.writeAttribute("time", time(results.stream().mapToDouble(Result::seconds).sum()));
        for (Result r : results) {
            xml.writeStartElement("testcase");
            xml.writeAttribute("classname", "routes." + stage);
            xml.writeAttribute("name", r.name());
            xml.writeAttribute("file", table.toString());
            xml.writeAttribute("time", time(r.seconds()));
            if (!r.passed()) {
                xml.writeStartElement("failure");
                xml.writeAttribute("message", r.failure().lines().findFirst().orElse(""));
                xml.writeCharacters(r.failure());
                xml.writeEndElement();
            }
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }

    private static String time(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
