package dev.proxystage.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code up --watch} says of an edit of pipeline.yml or its overlay, which it does not apply. */
class PipelineWatchTest {

    @TempDir
    Path project;

    private Path pipeline;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PipelineWatch watch;

    @BeforeEach
    void copyTheGoodFixture() throws Exception {
        copy(Path.of("src/test/resources/plan/good"), project);
        pipeline = project.resolve("pipeline.yml");
        Supplier<StageDefinition> reread = () -> PipelineConfigLoader.load(pipeline, Optional.of("offline")).stage("prep");
        watch = new PipelineWatch(new PrintStream(out, true, StandardCharsets.UTF_8), Throwable::getMessage,
                reread.get(), reread);
    }

    /** Copies the fixture's directories and files into {@code project}, which tests then edit. */
    private static void copy(Path source, Path project) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = project.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private String printed() {
        String text = out.toString(StandardCharsets.UTF_8).strip();
        out.reset();
        return text;
    }

    @Test
    void anEditThatLeavesTheStageAsItIsSaysSo() throws Exception {
        Files.writeString(pipeline, Files.readString(pipeline) + "# a comment\n");
        watch.changed(Set.of(pipeline));

        assertThat(printed()).isEqualTo("pipeline.yml changed; stage prep's definition did not");
    }

    @Test
    void anEditOfTheStageSaysThatUpMustStartAgainToApplyIt() throws Exception {
        Files.writeString(pipeline, Files.readString(pipeline).replace("      path: /alive\n",
                "      path: /alive\n    env:\n      SIGNUPS_ALLOWED: \"false\"\n"));
        watch.changed(Set.of(pipeline));

        assertThat(printed()).startsWith("pipeline.yml changed stage prep's definition, which up does not reload:")
                .contains("stop it and start it again to apply the change")
                .contains("-Dproxystage.attach=true start a fresh stage")
                .doesNotContain("\n");
    }

    @Test
    void anEditThatDoesNotLoadNamesTheFileAndLine() throws Exception {
        Files.writeString(pipeline, Files.readString(pipeline).replace("    data: /data\n", "    data: [/data\n"));
        watch.changed(Set.of(pipeline));

        assertThat(printed()).startsWith("pipeline.yml does not load: " + pipeline + ":")
                .endsWith("; stage prep keeps the definition it started with")
                .doesNotContain("\n");
    }

    @Test
    void theWatcherReportsASavedEditOnItsOwn() throws Exception {
        try (AutoCloseable watching = watch.watch(List.of(pipeline))) {
            assertThat(printed()).isEqualTo("watching " + pipeline + " for changes to stage prep's definition");
            Files.writeString(pipeline, Files.readString(pipeline) + "# saved\n");

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String line = "";
            while (line.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                line = out.toString(StandardCharsets.UTF_8).strip();
            }
            assertThat(line).isEqualTo("pipeline.yml changed; stage prep's definition did not");
        }
    }
}
