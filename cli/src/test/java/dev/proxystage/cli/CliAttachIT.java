package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.Labels;
import dev.proxystage.internal.files.UserFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * Tests attaching to a stage that {@code up} holds: each test JVM is a fresh one ({@link AttachRun}), as an IDE
 * or {@code mvn verify} starts it, on a copy of the fixture pipeline {@code cli/good}.
 */
class CliAttachIT {

    private static final Pattern STAGE_RUN = Pattern.compile("stage run ([0-9a-z]+)");
    private static final int NOBODY = 65534;

    private final DockerClient docker = DockerClientFactory.instance().client();

    @TempDir
    Path project;

    @BeforeEach
    void copyPipeline() throws IOException {
        CliRun.copyFixture("good", project);
    }

    @Test
    void testsAttachToTheUpsStageTwoAtOnceWithTracesAndLeaveItRunning() throws Exception {
        try (UpProcess up = UpProcess.start("--config", pipeline(), "--stage", "prep", "--profile", "offline", "--watch")) {
            up.awaitReady();

            TestJvm first = TestJvm.run(pipeline(), AttachFixtures.Routed.class);
            assertThat(first.stdout).as(first.toString()).contains("summary succeeded=2 failed=0");
            assertThat(first.runs()).as(first.toString()).containsExactly(up.runId);
            // Its record says the up loaded this pipeline.yml and serves this conf.d: nothing is loaded or parsed.
            assertThat(first.stderr).contains("attached to stage prep (run " + up.runId + ", found by its up's record,"
                    + " which has this pipeline.yml and conf.d)").doesNotContain("starting stage prep");
            // The test JVM is gone; the stage is whole and still the up's.
            assertThat(running(up.runId)).containsExactlyInAnyOrder("nginx-rp-prep-" + up.runId, "vaultwarden-prep-" + up.runId);

            // Two test JVMs at once both attach and both pass.
            CompletableFuture<TestJvm> a = CompletableFuture.supplyAsync(() -> TestJvm.runUnchecked(pipeline(), AttachFixtures.Routed.class));
            CompletableFuture<TestJvm> b = CompletableFuture.supplyAsync(() -> TestJvm.runUnchecked(pipeline(), AttachFixtures.Routed.class));
            for (TestJvm jvm : List.of(a.get(3, TimeUnit.MINUTES), b.get(3, TimeUnit.MINUTES))) {
                assertThat(jvm.stdout).as(jvm.toString()).contains("summary succeeded=2 failed=0");
                assertThat(jvm.runs()).as(jvm.toString()).containsExactly(up.runId);
            }

            // A wrong route on the attached stage fails with its routing trace and the logs since attaching.
            // ... and the attached stage is proven isolated from a fresh wip stage, both ways.
            TestJvm wrong = TestJvm.run(pipeline(), AttachFixtures.WrongRoute.class, AttachFixtures.Isolated.class);
            assertThat(wrong.stdout).as(wrong.toString()).contains("summary succeeded=1 failed=1")
                    .containsPattern("failed expectsAnotherBackend\\(StageClient\\): .*to be routed to admin@prep but it went: "
                            + "GET https://vw.example.com/wrong → server vw.example.com \\(.*vaultwarden.conf:\\d+\\) → [0-9.]+:80 = vaultwarden@prep")
                    .containsPattern("suppressed: ProxyStage diagnostics for stage prep.*\\[nginx-rp-prep-" + up.runId
                            + "\\] .*\"GET /wrong HTTP/1.1\" 200")
                    .doesNotContain("proxystage-trace");

            // A live reload moves the fingerprint along: the edited stage is still attached to.
            Files.writeString(project.resolve("conf.d/vaultwarden.conf"),
                    Files.readString(project.resolve("conf.d/vaultwarden.conf")) + "# edited\n");
            assertThat(up.await(l -> l.startsWith("reloaded") || l.startsWith("rejected"), Duration.ofSeconds(30), "a reload line"))
                    .startsWith("reloaded in ");
            TestJvm afterEdit = TestJvm.run(pipeline(), AttachFixtures.Routed.class);
            assertThat(afterEdit.runs()).as(afterEdit.toString()).containsExactly(up.runId);
            assertThat(afterEdit.stderr).contains("found by its up's record, which has this pipeline.yml and conf.d)");
            assertThat(running(up.runId)).hasSize(2);

            // pipeline.yml edited without changing the stage: its bytes differ from what up loaded, so the test JVM
            // loads it, compares the definitions' fingerprints, and attaches the full way.
            Files.writeString(project.resolve("pipeline.yml"), Files.readString(project.resolve("pipeline.yml")) + "# a comment\n");
            assertThat(up.await(l -> l.startsWith("pipeline.yml changed"), Duration.ofSeconds(30), "a pipeline line"))
                    .contains("did not");
            TestJvm afterComment = TestJvm.run(pipeline(), AttachFixtures.Routed.class);
            assertThat(afterComment.stdout).as(afterComment.toString()).contains("summary succeeded=2 failed=0");
            assertThat(afterComment.stderr).contains("attached to stage prep (run " + up.runId + ", found by its up's record) in");
            // up's console shows nginx's own lines of the tests' requests, not the trace records they also caused.
            assertThat(up.stdout).anyMatch(l -> l.startsWith("[nginx] ") && l.contains("\"GET /wrong HTTP/1.1\" 200"))
                    .noneMatch(l -> l.contains("proxystage-trace"));

            // An attached stage's nginx handle is the started one's: its stderr lines are all followed.
            TestJvm stderr = TestJvm.run(pipeline(), AttachFixtures.NginxStderr.class);
            assertThat(stderr.stdout).as(stderr.toString()).contains("summary succeeded=1 failed=0", "stderr line followed");
            assertThat(stderr.runs()).as(stderr.toString()).containsExactly(up.runId);
        }
    }

    @Test
    void withoutTheUpsRecordTheStageIsFoundByItsLabelsAndAPlantedRecordIsRefused() throws Exception {
        // Only root can give files to another user; elsewhere the labels part runs alone.
        boolean canPlant = "root".equals(System.getProperty("user.name"));
        Path planted = null;
        try (UpProcess up = UpProcess.start("--config", pipeline(), "--stage", "prep", "--profile", "offline")) {
            up.awaitReady();
            if (canPlant) {
                // Another local user's copy of the up's record, which would attach by itself if it were trusted ...
                planted = Files.createDirectory(up.caDirectory.resolveSibling("proxystage-pki-" + up.process.pid() + "-planted"));
                for (String file : List.of("stage.properties", "fingerprint", "ca.pem")) {
                    Files.copy(up.caDirectory.resolve(file), planted.resolve(file));
                }
                Files.setAttribute(planted, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            }
            // ... and no record of the up's own: only the engine's labels can say where the stage is.
            Files.delete(up.caDirectory.resolve("stage.properties"));

            TestJvm jvm = TestJvm.run(pipeline(), AttachFixtures.Routed.class, AttachFixtures.WrongRoute.class,
                    AttachFixtures.Isolated.class);

            if (canPlant) {
                assertThat(jvm.stderr).as(jvm.toString())
                        .contains("ignoring " + planted + ": " + planted + " is owned by nobody (uid 65534), not by this user (uid 0)");
            }
            assertThat(jvm.stderr).as(jvm.toString()).contains("attached to stage prep (run " + up.runId + ", found by its labels)")
                    .doesNotContain("found by its up's record");
            assertThat(jvm.runs()).as(jvm.toString()).containsExactly(up.runId, up.runId);
            assertThat(jvm.stdout).as(jvm.toString()).contains("summary succeeded=3 failed=1")
                    .containsPattern("failed expectsAnotherBackend\\(StageClient\\): .*to be routed to admin@prep but it went: ");
        } finally {
            if (planted != null) {
                Files.setAttribute(planted, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
                UserFiles.system().deleteTree(planted);
            }
        }
    }

    @Test
    void aStageWhoseConfDDiffersIsNotAttachedToAndAFreshOneSaysWhy() throws Exception {
        try (UpProcess up = UpProcess.start("--config", pipeline(), "--stage", "prep", "--profile", "offline")) {
            up.awaitReady();
            // No --watch: the up keeps serving what it started with.
            Files.writeString(project.resolve("conf.d/vaultwarden.conf"),
                    Files.readString(project.resolve("conf.d/vaultwarden.conf")) + "# edited\n");

            TestJvm jvm = TestJvm.run(pipeline(), AttachFixtures.Routed.class);

            assertThat(jvm.stdout).as(jvm.toString()).contains("summary succeeded=2 failed=0");
            assertThat(jvm.stderr).containsPattern("not attaching to run " + up.runId + ": its conf\\.d differs \\(fingerprint "
                    + "[0-9a-f]{16}-[0-9a-f]{16}, wanted [0-9a-f]{16}-[0-9a-f]{16}\\); starting a fresh stage");
            String fresh = jvm.runs().get(0);
            assertThat(fresh).isNotEqualTo(up.runId);
            // The fresh stage went with its JVM; the up's stayed.
            assertThat(running(fresh)).isEmpty();
            assertThat(running(up.runId)).hasSize(2);
        }
    }

    private String pipeline() {
        return project.resolve("pipeline.yml").toString();
    }

    private List<String> running(String runId) {
        return docker.listContainersCmd().withLabelFilter(Map.of(Labels.RUN, runId)).exec().stream()
                .map(c -> c.getNames()[0].substring(1)).toList();
    }

    /** A fresh JVM that runs fixture classes with attach on. */
    private record TestJvm(int exitCode, String stdout, String stderr) {

        static TestJvm runUnchecked(String pipeline, Class<?>... fixtures) {
            try {
                return run(pipeline, fixtures);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        static TestJvm run(String pipeline, Class<?>... fixtures) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=off",
                    "-Dorg.slf4j.simpleLogger.log.dev.proxystage.internal.runtime=info",
                    "-cp", System.getProperty("java.class.path"), AttachRun.class.getName(), pipeline));
            for (Class<?> fixture : fixtures) {
                command.add(fixture.getName());
            }
            Path err = Files.createTempFile("attach-run", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("test JVM ends").isTrue();
                return new TestJvm(process.exitValue(), out, Files.readString(err));
            } finally {
                Files.deleteIfExists(err);
            }
        }

        List<String> runs() {
            List<String> runs = new ArrayList<>();
            Matcher m = STAGE_RUN.matcher(stdout);
            while (m.find()) {
                runs.add(m.group(1));
            }
            return runs;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
