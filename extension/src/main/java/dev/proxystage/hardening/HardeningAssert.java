package dev.proxystage.hardening;

import dev.proxystage.Stage;
import java.util.Collection;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** {@code assertThatHardening(stage).passesHardeningProbes()}: the probes as an AssertJ assertion. */
public final class HardeningAssert extends AbstractAssert<HardeningAssert, Stage> {

    private HardeningAssert(Stage actual) {
        super(actual, HardeningAssert.class);
    }

    /** The entry point; a static import of it sits beside AssertJ's {@code assertThat}. */
    public static HardeningAssert assertThatHardening(Stage stage) {
        return new HardeningAssert(stage);
    }

    /**
     * Runs every hardening probe against the stage's nginx (see {@link HardeningProbes}) and fails with one line per
     * finding: the probe, the server block's {@code file:line}, the request sent and what came back.
     */
    public HardeningAssert passesHardeningProbes() {
        return passesHardeningProbes(List.of());
    }

    /**
     * Like {@link #passesHardeningProbes()}, with some probes switched off, e.g.
     * {@code passesHardeningProbes(Suppression.of("version-disclosure", "reason"))} or
     * {@code passesHardeningProbes(Suppression.declaredOn(testInfo))} for {@link SuppressProbe} annotations.
     */
    public HardeningAssert passesHardeningProbes(Suppression... suppressions) {
        return passesHardeningProbes(List.of(suppressions));
    }

    /** Like {@link #passesHardeningProbes()}, with the probes {@code suppressions} name switched off. */
    public HardeningAssert passesHardeningProbes(Collection<Suppression> suppressions) {
        isNotNull();
        HardeningReport report = HardeningProbes.run(actual, suppressions);
        if (!report.passed()) {
            failWithMessage("%s", report.failureMessage());
        }
        return this;
    }
}
