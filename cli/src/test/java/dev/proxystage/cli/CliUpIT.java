package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.Labels;
import dev.proxystage.internal.docker.Sweeper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * {@code up} and {@code down} as a user runs them: {@code up} in a JVM of its own (this JVM's test classpath, main
 * class {@link Main}), on the fixture pipeline {@code cli/good} with the offline images. The printed curl line is
 * run verbatim by a shell; SIGINT must leave nothing of the run behind; {@code down} must remove what a
 * {@code kill -9}ed {@code up} left.
 */
class CliUpIT {

    private static final Path PIPELINE = CliRun.fixture("good").resolve("pipeline.yml");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern RUN = Pattern.compile("stage prep is up: run ([0-9a-z]+),.*");

    private final DockerClient docker = DockerClientFactory.instance().client();
    private final List<Up> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void removeWhateverIsLeft() {
        for (Up up : started) {
            up.process.destroyForcibly();
            try {
                up.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (up.runId != null) {
                Sweeper.onEngine(docker).sweepRun(up.runId);
            }
            if (up.caDirectory != null) {
                deleteRecursively(up.caDirectory);
            }
        }
    }

    @Test
    void upPrintsWorkingCurlLinesRefusesASecondUpAndSigintRemovesEverything() throws Exception {
        Up up = up();
        List<String> printed = up.awaitReady();

        // The route through nginx: the printed line, run by a shell exactly as printed (plus output options).
        String https = single(printed, l -> l.startsWith("curl ") && l.endsWith(" https://vw.example.com/"));
        assertThat(https).matches("curl --connect-to vw\\.example\\.com:443:127\\.0\\.0\\.1:\\d+ --cacert \\S+/ca\\.pem"
                + " https://vw\\.example\\.com/");
        Curl answer = curl(https);
        assertThat(answer.status).as(answer.toString()).isEqualTo(200);
        JsonNode echo = new ObjectMapper().readTree(answer.body);
        assertThat(echo.path("identity").path("stage").asText()).as(answer.body).isEqualTo("prep");
        assertThat(echo.path("identity").path("alias").asText()).isEqualTo("vaultwarden");

        String http = single(printed, l -> l.startsWith("curl ") && l.endsWith(" http://vw.example.com/"));
        Curl redirect = curl(http + " --include");
        assertThat(redirect.status).as(redirect.toString()).isEqualTo(301);
        assertThat(redirect.body).containsIgnoringCase("Location: https://vw.example.com/");

        // The CA file and the backend's direct URL.
        assertThat(up.caDirectory.resolve("ca.pem")).isRegularFile();
        // Its address on the stage network when this host reaches it (a local engine), else a loopback port.
        String backend = single(printed, l -> l.startsWith("backend vaultwarden: http://"));
        String direct = backend.substring("backend vaultwarden: ".length(), backend.indexOf(' ', "backend vaultwarden: ".length()));
        HttpResponse<String> alive = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(direct + "/alive"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(alive.statusCode()).isEqualTo(200);
        assertThat(labelled(up.runId)).containsExactlyInAnyOrder("container nginx-rp-prep-" + up.runId,
                "container vaultwarden-prep-" + up.runId, "network nginx-rp-network-prep-" + up.runId,
                "volume vaultwarden-prep-" + up.runId);

        // The nginx log follows the requests above, prefixed.
        up.awaitOutput(l -> l.startsWith("[nginx] ") && l.contains("\"GET / HTTP/1.1\" 200"));

        // A second up of the same stage is refused while this one runs.
        Up second = up();
        assertThat(second.process.waitFor(60, TimeUnit.SECONDS)).as("second up ends by itself").isTrue();
        assertThat(second.process.exitValue()).as(second.stderr()).isEqualTo(Main.PROBLEMS);
        assertThat(second.stderr()).contains("stage 'prep' is already up (run " + up.runId + ", pid " + up.process.pid());
        assertThat(second.stdout).doesNotContain("ready");

        // Ctrl-C: everything of the run goes, the CA directory too.
        signal("INT", up.process.pid());
        if (!up.process.waitFor(60, TimeUnit.SECONDS)) {
            fail("up did not end within 60 s of SIGINT; stderr:\n" + up.stderr());
        }
        assertThat(up.process.exitValue()).isEqualTo(130);
        assertThat(up.stderr()).contains("stopped: stage prep (run " + up.runId + ") removed, CA directory deleted");
        assertThat(labelled(up.runId)).isEmpty();
        assertThat(up.caDirectory).doesNotExist();
    }

    @Test
    void upSaysWhichEngineBeforeItConnectsAndNeedsNoTestcontainersVariables() throws Exception {
        Up up = up();
        up.awaitReady();
        assertThat(up.stderr().lines().findFirst()).as(up.stderr())
                .hasValueSatisfying(first -> assertThat(first).startsWith("stage prep: connecting to the Docker engine at "));
        assertThat(up.stderr()).doesNotContain("Ryuk").doesNotContain("Exception");
        signal("TERM", up.process.pid());
        assertThat(up.process.waitFor(60, TimeUnit.SECONDS)).as("up ends on SIGTERM").isTrue();
        assertThat(labelled(up.runId)).isEmpty();
    }

    @Test
    void downRemovesWhatAKilledUpLeftBehind() throws Exception {
        Up up = up();
        up.awaitReady();
        up.process.destroyForcibly();
        assertThat(up.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(labelled(up.runId)).hasSize(4);
        assertThat(up.caDirectory).isDirectory();

        CliRun down = CliRun.of("down", "--stage", "prep");

        assertThat(down.exitCode()).as(down.toString()).isEqualTo(Main.OK);
        assertThat(down.outLines()).contains(
                "swept run " + up.runId + " (pid " + up.process.pid() + " gone)",
                "removed container nginx-rp-prep-" + up.runId,
                "removed container vaultwarden-prep-" + up.runId,
                "removed network nginx-rp-network-prep-" + up.runId,
                "removed volume vaultwarden-prep-" + up.runId,
                "removed CA directory " + up.caDirectory + " (run " + up.runId + " of stage prep, pid " + up.process.pid()
                        + " gone)");
        assertThat(labelled(up.runId)).isEmpty();
        assertThat(up.caDirectory).doesNotExist();
        assertThat(CliRun.of("down", "--stage", "prep").out()).doesNotContain(up.runId);
    }

    // --- helpers ---

    /** {@code up --stage prep --profile offline} in a JVM of its own. */
    private Up up() throws IOException {
        List<String> command = new ArrayList<>();
        // A JVM keeps SIGINT ignored when its parent ignored it (a background job of a non-interactive shell):
        // reset it, as a terminal would have it.
        if (envResetsSignals()) {
            command.addAll(List.of("env", "--default-signal=INT"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "up", "--config", PIPELINE.toString(), "--stage", "prep", "--profile", "offline"));
        ProcessBuilder builder = new ProcessBuilder(command);
        // As a user's shell has it: none of the Testcontainers variables (ProxyStage decides the host and Ryuk itself).
        builder.environment().keySet().removeIf(key -> key.startsWith("TESTCONTAINERS_"));
        Process process = builder.start();
        Up up = new Up(process);
        started.add(up);
        return up;
    }

    private static boolean envResetsSignals() {
        try {
            Process probe = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name + ": " + output).isTrue();
    }

    /** Runs a printed curl line through a shell, with the status code appended to its output. */
    private static Curl curl(String line) throws IOException, InterruptedException {
        Process shell = new ProcessBuilder("sh", "-c", line + " --silent --show-error --max-time 20 --write-out '\\n%{http_code}'")
                .redirectErrorStream(true).start();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int newline = output.lastIndexOf('\n');
        String status = output.substring(newline + 1).strip();
        return new Curl(line, shell.exitValue(), status.matches("\\d{3}") ? Integer.parseInt(status) : -1,
                newline < 0 ? output : output.substring(0, newline));
    }

    private record Curl(String line, int exitCode, int status, String body) {
    }

    /** Every container, network and volume labelled with the run, as "kind name". */
    private List<String> labelled(String runId) {
        List<String> filter = List.of(Labels.RUN + "=" + runId);
        List<String> found = new ArrayList<>();
        docker.listContainersCmd().withShowAll(true).withFilter("label", filter).exec()
                .forEach(c -> found.add("container " + c.getNames()[0].substring(1)));
        docker.listNetworksCmd().withFilter("label", filter).exec().forEach(n -> found.add("network " + n.getName()));
        var volumes = docker.listVolumesCmd().withFilter("label", filter).exec().getVolumes();
        if (volumes != null) {
            volumes.forEach(v -> found.add("volume " + v.getName()));
        }
        return found;
    }

    private static String single(List<String> lines, Predicate<String> which) {
        List<String> matching = lines.stream().filter(which).toList();
        assertThat(matching).as("printed:\n" + String.join("\n", lines)).hasSize(1);
        return matching.get(0);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // best effort
        }
    }

    /** A running {@code up}: its stdout line by line, its stderr as a whole. */
    private static final class Up {

        final Process process;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> stdout = new CopyOnWriteArrayList<>();
        final StringBuffer stderr = new StringBuffer();
        volatile String runId;
        volatile Path caDirectory;

        Up(Process process) {
            this.process = process;
            Thread out = new Thread(() -> pump(process.getInputStream(), line -> {
                stdout.add(line);
                lines.add(line);
            }), "up-stdout");
            Thread err = new Thread(() -> pump(process.getErrorStream(), line -> stderr.append(line).append('\n')), "up-stderr");
            out.setDaemon(true);
            err.setDaemon(true);
            out.start();
            err.start();
        }

        private static void pump(InputStream stream, Consumer<String> sink) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        String stderr() {
            return stderr.toString();
        }

        /** The lines up to {@code ready}; notes the run id and CA directory. */
        List<String> awaitReady() throws InterruptedException {
            List<String> before = new ArrayList<>();
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (true) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line == null) {
                    if (!process.isAlive() && lines.isEmpty()) {
                        fail("up exited with " + process.exitValue() + " before ready; stdout:\n" + String.join("\n", stdout)
                                + "\nstderr:\n" + stderr());
                    }
                    if (System.nanoTime() > deadline) {
                        fail("no 'ready' within " + READY_TIMEOUT.toSeconds() + " s; stderr:\n" + stderr());
                    }
                    continue;
                }
                if (line.equals("ready")) {
                    break;
                }
                before.add(line);
                Matcher run = RUN.matcher(line);
                if (run.matches()) {
                    runId = run.group(1);
                }
                if (line.startsWith("ca: ")) {
                    caDirectory = Path.of(line.substring(4)).getParent();
                }
            }
            assertThat(runId).as("run id in:\n" + String.join("\n", before)).isNotNull();
            assertThat(caDirectory).as("ca line in:\n" + String.join("\n", before)).isNotNull();
            return before;
        }

        void awaitOutput(Predicate<String> which) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                if (stdout.stream().anyMatch(which)) {
                    return;
                }
                Thread.sleep(50);
            }
            fail("expected output not seen; stdout:\n" + String.join("\n", stdout));
        }
    }
}
