package dev.proxystage.cli;

import dev.proxystage.ForEachStage;
import dev.proxystage.RouteTableContract;

/** A JUnit suite that {@link JunitReportIT} runs through EngineTestKit: not a test of this module by itself. */
final class ReportFixtures {

    private ReportFixtures() {
    }

    /** The route table beside the pipeline, on wip and prep: one matrix, one promotion gate. */
    @ForEachStage({"wip", "prep"})
    static class WipAndPrep extends RouteTableContract {
    }
}
