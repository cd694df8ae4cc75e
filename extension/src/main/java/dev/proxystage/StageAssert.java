package dev.proxystage;

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
}
