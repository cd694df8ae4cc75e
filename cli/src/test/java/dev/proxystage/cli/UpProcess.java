package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.proxystage.internal.docker.Sweeper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import org.testcontainers.DockerClientFactory;

/** An {@code up} in a JVM of its own (this JVM's test classpath): its output line by line, and its removal. */
final class UpProcess implements AutoCloseable {

    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern RUN = Pattern.compile("stage \\S+ is up: run ([0-9a-z]+),.*");

    final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> stdout = new CopyOnWriteArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    volatile String runId;
    volatile Path caDirectory;

    private UpProcess(Process process) {
        this.process = process;
        pump("up-stdout", process.getInputStream(), line -> {
            stdout.add(line);
            lines.add(line);
        });
        pump("up-stderr", process.getErrorStream(), line -> stderr.append(line).append('\n'));
    }

    /** {@code up} with {@code args} (after the command name). */
    static UpProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "up"));
        command.addAll(List.of(args));
        return new UpProcess(new ProcessBuilder(command).start());
    }

    private static void pump(String name, InputStream stream, Consumer<String> sink) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    String stderr() {
        return stderr.toString();
    }

    /** The lines before {@code ready}; notes the run id and CA directory. */
    List<String> awaitReady() throws InterruptedException {
        List<String> before = new ArrayList<>();
        for (String line = next(READY_TIMEOUT, "ready"); !line.equals("ready"); line = next(READY_TIMEOUT, "ready")) {
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
        return before;
    }

    /** The next line that {@code which} accepts, skipping others (log lines); fails after {@code timeout}. */
    String await(Predicate<String> which, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), what);
            if (which.test(line)) {
                return line;
            }
        }
    }

    private String next(Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            if (!process.isAlive() && lines.isEmpty()) {
                fail("up exited with " + process.exitValue() + " before " + what + "; stdout:\n"
                        + String.join("\n", stdout) + "\nstderr:\n" + stderr());
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + timeout.toMillis() + " ms; stdout:\n" + String.join("\n", stdout)
                        + "\nstderr:\n" + stderr());
            }
        }
    }

    /** SIGTERM, then whatever the run left (nothing, when up is right). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (runId != null) {
            Sweeper.onEngine(DockerClientFactory.instance().client()).sweepRun(runId);
        }
        if (caDirectory != null && Files.exists(caDirectory)) {
            try (Stream<Path> paths = Files.walk(caDirectory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                // best effort
            }
        }
    }

    /** Runs a printed curl line through a shell; the body, and the status code as the last line. */
    static Curl curl(String line) throws IOException, InterruptedException {
        Process shell = new ProcessBuilder("sh", "-c", line + " --silent --show-error --max-time 20 --write-out '\\n%{http_code}'")
                .redirectErrorStream(true).start();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int newline = output.lastIndexOf('\n');
        String status = output.substring(newline + 1).strip();
        return new Curl(line, shell.exitValue(), status.matches("\\d{3}") ? Integer.parseInt(status) : -1,
                newline < 0 ? output : output.substring(0, newline));
    }

    record Curl(String line, int exitCode, int status, String body) {
    }
}
