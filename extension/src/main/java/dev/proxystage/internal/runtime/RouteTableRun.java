package dev.proxystage.internal.runtime;

import dev.proxystage.RouteChecks;
import dev.proxystage.internal.check.RouteTableCheck;
import dev.proxystage.internal.config.RouteTableFile;
import dev.proxystage.internal.config.RouteTableLoader;
import dev.proxystage.internal.report.PromotionGate;
import dev.proxystage.internal.routes.TableRouteChecks;
import java.nio.file.Path;
import java.util.List;

/**
 * A route table ({@code routes.yml}) that the command line's {@code routes} runs against a stage: loaded, and its
 * per-stage overrides checked against the pipeline, before anything starts.
 */
public final class RouteTableRun {

    private final RouteTableFile table;

    private RouteTableRun(RouteTableFile table) {
        this.table = table;
    }

    /** {@code routes.yml} beside the pipeline file {@code config}. */
    public static Path besidePipeline(Path config) {
        return RouteTableLoader.besidePipeline(config);
    }

    /** The table in {@code file}; fails with its first problem, or the first override naming no stage of {@code pipeline}. */
    public static RouteTableRun load(Path file, Pipeline pipeline) {
        RouteTableFile table = RouteTableLoader.load(file);
        RouteTableCheck.requireKnownStages(table, pipeline.config());
        return new RouteTableRun(table);
    }

    /** How many routes the table has, in every stage. */
    public int size() {
        return table.routes().size();
    }

    /** The promotion gate's verdict: whether the candidate may be promoted, and the lines that say why. */
    public record Gate(boolean promotable, List<String> lines) {
    }

    /**
     * Whether {@code candidate} answered every route as {@code baseline} did in {@code run}, except where the table
     * says it differs on purpose; the report of {@code run} shows the same verdict.
     */
    public static Gate gate(Run run, String candidate, String baseline) {
        run.evidence().gate(candidate, baseline);
        PromotionGate.Verdict verdict = PromotionGate.judge(run.evidence().matrix(), candidate, baseline);
        return new Gate(verdict.promotable(), verdict.lines());
    }

    /** The checks of the routes that {@code stage} runs, one per route, in the table's order. */
    public List<RouteChecks.RouteCheck> checks(String stage) {
        return TableRouteChecks.checks(table, stage);
    }
}
