package dev.proxystage;

import dev.proxystage.probes.HardeningProbes;
import dev.proxystage.probes.HardeningReport;
import dev.proxystage.probes.Suppression;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a running {@link Stage} as a whole. */
public final class StageAssert extends AbstractAssert<StageAssert, Stage> {

    private static final List<String> LEVELS = List.of("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg");
    private static final Pattern LEVEL = Pattern.compile("\\[(debug|info|notice|warn|error|crit|alert|emerg)\\]");

    StageAssert(Stage actual) {
        super(actual, StageAssert.class);
    }

    /** nginx logged nothing at {@code [error]} or worse since the current test started. */
    public StageAssert hasNoNginxErrors() {
        return hasNoNginxErrors("error");
    }

    /**
     * nginx logged nothing at {@code minimumLevel} or worse since the current test started; levels are nginx's:
     * debug, info, notice, warn, error, crit, alert, emerg.
     */
    public StageAssert hasNoNginxErrors(String minimumLevel) {
        isNotNull();
        int threshold = LEVELS.indexOf(minimumLevel);
        if (threshold < 0) {
            throw new IllegalArgumentException("unknown nginx log level '" + minimumLevel + "' (known: " + LEVELS + ")");
        }
        List<String> offending = actual.nginx().errorLog().sinceTestStart().stream()
                .filter(line -> {
                    Matcher m = LEVEL.matcher(line);
                    return m.find() && LEVELS.indexOf(m.group(1)) >= threshold;
                })
                .toList();
        if (!offending.isEmpty()) {
            failWithMessage("expected nginx of stage %s to log nothing at [%s] or worse during this test, but it logged:%n  %s",
                    actual.name(), minimumLevel, String.join(System.lineSeparator() + "  ", offending));
        }
        return this;
    }

    /**
     * Runs every hardening probe against the stage's nginx (see {@link HardeningProbes}) and fails with one line per
     * finding: the probe, the server block's {@code file:line}, the request sent and what came back.
     */
    public StageAssert passesHardeningProbes() {
        return passesHardeningProbes(List.of());
    }

    /**
     * Like {@link #passesHardeningProbes()}, with some probes switched off, e.g.
     * {@code passesHardeningProbes(Suppression.of("version-disclosure", "reason"))} or
     * {@code passesHardeningProbes(Suppression.declaredOn(testInfo))} for {@link SuppressProbe} annotations.
     */
    public StageAssert passesHardeningProbes(Suppression... suppressions) {
        return passesHardeningProbes(List.of(suppressions));
    }

    /** Like {@link #passesHardeningProbes()}, with the probes {@code suppressions} name switched off. */
    public StageAssert passesHardeningProbes(Collection<Suppression> suppressions) {
        isNotNull();
        HardeningReport report = HardeningProbes.run(actual, suppressions);
        if (!report.passed()) {
            failWithMessage("%s", report.failureMessage());
        }
        return this;
    }
}
