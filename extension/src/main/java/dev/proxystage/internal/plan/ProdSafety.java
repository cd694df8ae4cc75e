package dev.proxystage.internal.plan;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.DataSpec;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;

/**
 * The one place that guards production data. The prod stage runs only when the user opts in with
 * {@code -Dproxystage.allowProd=true}; its data is then mounted read-only unless its pipeline.yml entry says
 * {@code readOnly: false}; it is never seeded. (That no test stage shares prod's data directory is checked when
 * pipeline.yml is loaded.)
 */
public final class ProdSafety {

    private ProdSafety() {
    }

    static void check(StageDefinition stage, boolean allowProd) {
        if (!stage.name().equals(PipelineConfigLoader.PROD)) {
            return;
        }
        if (!allowProd) {
            throw new ProxyStageException("stage 'prod' runs against production data; pass -D" + Settings.ALLOW_PROD
                    + "=true to run it (its data is then mounted read-only)");
        }
        for (BackendSpec backend : stage.backends()) {
            backend.data().flatMap(DataSpec::seedFrom).ifPresent(seed -> {
                throw new ProxyStageException("stage 'prod': backend '" + backend.name()
                        + "' has data.seedFrom; production data is never seeded or overwritten");
            });
        }
    }

    /** Whether tests may share {@code stage} with an {@code up} (attach): never prod, whose data is production's. */
    public static boolean mayShare(StageDefinition stage) {
        return !stage.name().equals(PipelineConfigLoader.PROD);
    }
}
