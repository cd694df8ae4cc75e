package dev.proxystage.example.faults;

import dev.proxystage.ProxyStageExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cookbook's stage, faults/pipeline.yml's prep: every recipe class extends this, so they share one stage per
 * run. Each recipe runs against the echo backend (app) and a real image (web).
 */
// tag::stage[]
abstract class CookbookStage {

    @RegisterExtension
    static final ProxyStageExtension STAGE = ProxyStageExtension.forStage("prep")
            .config(Path.of("faults/pipeline.yml")).build();
}
// end::stage[]
