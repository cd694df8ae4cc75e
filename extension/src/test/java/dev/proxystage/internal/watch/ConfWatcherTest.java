package dev.proxystage.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfWatcherTest {

    @TempDir
    Path dir;

    private final LinkedBlockingQueue<Set<Path>> changes = new LinkedBlockingQueue<>();

    @Test
    void anEditOfSeveralEventsIsOneChangeAndNewSubdirectoriesAreWatched() throws Exception {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Path main = Files.writeString(dir.resolve("nginx.conf"), "events {}\n");
        Files.writeString(dir.resolve("pipeline.yml"), "stages: [prep]\n");
        try (ConfWatcher watcher = new ConfWatcher(List.of(confD), List.of(main), changes::add).start()) {
            // A save as editors make it: a scratch file, the file, a second write.
            Files.writeString(confD.resolve(".app.conf.swp"), "x");
            Files.writeString(confD.resolve("app.conf"), "server {}\n");
            Files.writeString(confD.resolve("app.conf"), "server { listen 80; }\n");
            assertThat(next()).containsExactly(confD.resolve("app.conf"));

            Path sites = Files.createDirectories(confD.resolve("sites"));
            assertThat(next()).contains(sites);
            Files.writeString(sites.resolve("b.conf"), "server {}\n");
            assertThat(next()).containsExactly(sites.resolve("b.conf"));

            // Beside the main config, only the main config counts.
            Files.writeString(dir.resolve("pipeline.yml"), "stages: [prep, ship]\n");
            Files.writeString(main, "events {}\nhttp {}\n");
            assertThat(next()).containsExactly(main);
            assertThat(changes.poll(3 * ConfWatcher.QUIET_MILLIS, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void editorScratchFilesAreNotConfiguration() {
        assertThat(ConfWatcher.editorScratch(Path.of("conf.d/app.conf~"))).isTrue();
        assertThat(ConfWatcher.editorScratch(Path.of("conf.d/.app.conf.swp"))).isTrue();
        assertThat(ConfWatcher.editorScratch(Path.of("conf.d/.#app.conf"))).isTrue();
        assertThat(ConfWatcher.editorScratch(Path.of("conf.d/app.conf"))).isFalse();
    }

    private Set<Path> next() throws InterruptedException {
        Set<Path> change = changes.poll(10, TimeUnit.SECONDS);
        assertThat(change).as("a change within 10 s").isNotNull();
        return change;
    }
}
