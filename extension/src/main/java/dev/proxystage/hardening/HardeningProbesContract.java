package dev.proxystage.hardening;

import dev.proxystage.Stage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A ready-made test: extend it with {@code @PipelineStage} and the stage must pass every hardening probe. Switch a
 * probe off, with the reason, by annotating the subclass with {@link SuppressProbe} (repeatable; inherited):
 *
 * <pre>{@code
 * @PipelineStage("prep")
 * @SuppressProbe(value = "plain-http", reason = "the status page is plain HTTP on purpose, see OPS-7")
 * class PrepHardeningIT extends HardeningProbesContract {
 * }
 * }</pre>
 */
public abstract class HardeningProbesContract {

    @Test
    @DisplayName("passes the hardening probes")
    public void passesHardeningProbes(Stage stage) {
        HardeningAssert.assertThatHardening(stage).passesHardeningProbes(Suppression.declaredOn(getClass()));
    }
}
