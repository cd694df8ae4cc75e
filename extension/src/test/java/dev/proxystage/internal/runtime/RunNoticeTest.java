package dev.proxystage.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.Settings;
import dev.proxystage.internal.engine.Attachment;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.Recorded;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stage record that is not the user's own is named on the progress output the attach decision uses, once. */
class RunNoticeTest {

    private static final String PLANTED = "ignoring the stage record /run/proxystage-pki-1-x/stage.properties: it is another user's";

    /** Both ways of attaching read the records and report the planted one; then no stage to attach to. */
    private static final class Refusing implements Engine {

        @Override
        public String sweepOrphans() {
            return "";
        }

        @Override
        public StageInternals start(StagePlan plan, String runId) {
            throw new IllegalStateException("no engine in this test");
        }

        @Override
        public Optional<Recorded> recorded(AttachInputs.Wanted wanted, Consumer<String> notices) {
            notices.accept(PLANTED);
            return Optional.empty();
        }

        @Override
        public Attachment attach(StagePlan plan, Fingerprint wanted, Consumer<String> notices) {
            notices.accept(PLANTED);
            return Attachment.refused("no running 'up' of stage prep to attach to");
        }
    }

    @Test
    void theLineComesOnceBeforeTheFreshStart(@TempDir Path project) throws IOException {
        Files.createDirectories(project.resolve("conf.d"));
        Files.writeString(project.resolve("conf.d/vw.conf"), "server { listen 80; server_name vw.example.com; }\n");
        Path pipeline = Files.writeString(project.resolve("pipeline.yml"), """
                stages:
                  prep: {}
                nginx:
                  image: nginx:1.27.3
                  confDir: conf.d
                backends:
                  vaultwarden:
                    image: echo
                """);
        List<String> progress = new CopyOnWriteArrayList<>();
        Run run = new Run(new Refusing(), "1a2b3c4d", progress::add);
        try {
            assertThatThrownBy(() -> run.start(Settings.defaults().toBuilder().config(pipeline).attach(true).build(), "prep"))
                    .hasMessage("no engine in this test");
        } finally {
            run.close();
        }

        assertThat(progress).containsSubsequence(PLANTED, "no running 'up' of stage prep to attach to; starting a fresh stage",
                "starting stage prep (run 1a2b3c4d)");
        assertThat(progress).filteredOn(PLANTED::equals).hasSize(1);
    }
}
