package dev.proxystage.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.Settings;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.plan.StagePlan;
import dev.proxystage.spi.StageRun;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A test run that will start its stages reaches the engine on another thread from the moment it opens, while it
 * reads pipeline.yml; one that attaches does not (it may never need the engine).
 */
class DefaultRuntimeTest {

    /** Counts the background connections asked of it; never starts anything. */
    public static final class Counting implements Engine {
        static final AtomicInteger CONNECTS = new AtomicInteger();

        public Counting() {
        }

        @Override
        public void connectInBackground() {
            CONNECTS.incrementAndGet();
        }

        @Override
        public String sweepOrphans() {
            return "";
        }

        @Override
        public StageInternals start(StagePlan plan, String runId) {
            throw new IllegalStateException("not started in this test");
        }
    }

    @BeforeEach
    void reset() {
        Counting.CONNECTS.set(0);
    }

    private static Settings settings(boolean attach) {
        return Settings.builder().engine(Counting.class.getName()).attach(attach).build();
    }

    @Test
    void aRunThatStartsStagesReachesTheEngineAsItOpens() {
        try (StageRun run = new DefaultRuntime().openRun(settings(false))) {
            assertThat(Counting.CONNECTS).hasValue(1);
        }
    }

    @Test
    void aRunThatAttachesLeavesTheEngineAloneUntilItNeedsIt() {
        try (StageRun run = new DefaultRuntime().openRun(settings(true))) {
            assertThat(Counting.CONNECTS).hasValue(0);
        }
    }
}
