package dev.proxystage.plan;

import dev.proxystage.ProxyStageException;
import dev.proxystage.config.BackendSpec;
import dev.proxystage.config.DataSpec;
import dev.proxystage.config.PipelineConfigLoader;
import dev.proxystage.config.StageDefinition;

/**
 * The one place that guards production data. The prod stage runs only when the user opts in with
 * {@code -Dproxystage.allowProd=true}; its data is then mounted read-only unless its pipeline.yml entry says
 * {@code readOnly: false}; it is never seeded. (That no test stage shares prod's data directory is checked when
 * pipeline.yml is loaded.)
 */
public final class ProdSafety {

    public static final String ALLOW_PROD = "proxystage.allowProd";

    private ProdSafety() {
    }

    static void check(StageDefinition stage) {
        if (!stage.name().equals(PipelineConfigLoader.PROD)) {
            return;
        }
        if (!Boolean.getBoolean(ALLOW_PROD)) {
            throw new ProxyStageException("stage 'prod' runs against production data; pass -D" + ALLOW_PROD
                    + "=true to run it (its data is then mounted read-only)");
        }
        for (BackendSpec backend : stage.backends()) {
            backend.data().flatMap(DataSpec::seedFrom).ifPresent(seed -> {
                throw new ProxyStageException("stage 'prod': backend '" + backend.name()
                        + "' has data.seedFrom; production data is never seeded or overwritten");
            });
        }
    }
}
