package dev.proxystage.example.faults;

import dev.proxystage.ProxyStageExtension;
import dev.proxystage.RouteTableContract;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cookbook's route table (faults/routes.yml, beside its pipeline), on the cookbook's stage: each route's fault is
 * in force while the route runs and healed after it.
 */
class CookbookRoutesIT extends RouteTableContract {

    @RegisterExtension
    static final ProxyStageExtension STAGE = ProxyStageExtension.forStage("prep")
            .config(Path.of("faults/pipeline.yml")).build();
}
