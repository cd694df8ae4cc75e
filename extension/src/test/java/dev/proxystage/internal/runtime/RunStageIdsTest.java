package dev.proxystage.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.Settings;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine names a stage's network and containers {@code <stage>-<id>}: two stages of one name in one run (two
 * pipeline.yml files, each with its prep) get two ids, or the second would collide with the first's network.
 */
class RunStageIdsTest {

    /** Records the id each start gets, then stops there: the ids are what this test is about. */
    private static final class Recording implements Engine {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public String sweepOrphans() {
            return "";
        }

        @Override
        public StageInternals start(StagePlan plan, String runId) {
            ids.add(plan.definition().name() + "-" + runId);
            throw new IllegalStateException("recorded");
        }
    }

    private static Path pipeline(Path dir, String stage) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/vw.conf"), "server { listen 80; server_name vw.example.com; }\n");
        return Files.writeString(dir.resolve("pipeline.yml"), """
                stages:
                  %s: {}
                nginx:
                  image: nginx:1.27.3
                  confDir: conf.d
                backends:
                  vaultwarden:
                    image: echo
                """.formatted(stage));
    }

    @Test
    void aSecondStageOfOneNameInARunGetsAnIdOfItsOwn(@TempDir Path dir) throws IOException {
        Path first = pipeline(dir.resolve("one"), "prep");
        Path second = pipeline(dir.resolve("two"), "prep");
        Path other = pipeline(dir.resolve("three"), "wip");
        Recording engine = new Recording();
        Run run = new Run(engine, "1a2b3c4d", line -> { });
        try {
            for (Path config : List.of(first, second, other)) {
                String stage = config.equals(other) ? "wip" : "prep";
                assertThatThrownBy(() -> run.start(Settings.defaults().toBuilder().config(config).build(), stage))
                        .hasMessage("recorded");
            }
        } finally {
            run.close();
        }

        assertThat(engine.ids).hasSize(3);
        assertThat(engine.ids.get(0)).isEqualTo("prep-1a2b3c4d");
        assertThat(engine.ids.get(1)).matches("prep-[0-9a-f]{8}").isNotEqualTo("prep-1a2b3c4d");
        assertThat(engine.ids.get(2)).isEqualTo("wip-1a2b3c4d");
    }
}
