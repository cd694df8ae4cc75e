package dev.proxystage.cli;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.RouteTable;

/** Static checks of a route table against its pipeline. */
final class RouteTableCheck {

    private RouteTableCheck() {
    }

    /** A per-stage override must name a stage of the pipeline. */
    static void requireKnownStages(RouteTable table, PipelineConfig pipeline) {
        for (RouteTable.Route route : table.routes()) {
            route.stageLocations().forEach((stage, location) -> {
                if (!pipeline.stageNames().contains(stage)) {
                    throw new ProxyStageException(location + ": route '" + route.name() + "' names stage '" + stage
                            + "', which " + pipeline.file().getFileName() + " does not have (known: "
                            + String.join(", ", pipeline.stageNames()) + ")");
                }
            });
        }
    }
}
