package dev.proxystage.bench;

import dev.proxystage.bench.suite.ScaleFirst;
import dev.proxystage.bench.suite.SuiteClasses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The warm edit–test loop, measured on the example (example-tests' pipeline, offline profile, stage prep), on a
 * copy of it:
 * <ol>
 *   <li>{@code up --watch}: from writing a conf.d edit to the new configuration answering through nginx (a plain
 *       request polled until its body is the new one), and what {@code up} printed for the same edit;</li>
 *   <li>a fresh JVM's first test ({@link FirstTestJvm}) attached to that {@code up}'s stage, against the same JVM
 *       starting the stage cold, against a fresh JVM whose first test uses no ProxyStage (the floor both pay), and
 *       against one whose first test sends the same request through a plain OkHttp client (the floor of any
 *       OkHttp-based client).</li>
 * </ol>
 * Prints markdown rows. Run on its own (not part of BenchMain's report):
 * {@code java -cp <benchmarks classpath> dev.proxystage.bench.WatchBench --root <repo> [--rounds N] [--backends N]}
 * ({@code --backends}: the scale rows' stage of N backends instead of the example); it needs
 * {@code cli/target/proxystage-cli.jar} and the offline images.
 */
public final class WatchBench {

    private static final Pattern NGINX_80 = Pattern.compile("nginx: .* ports .*\\b80 -> [0-9.]+:(\\d+).*");
    private static final Pattern RELOADED = Pattern.compile("reloaded in (\\d+) ms .*");
    private static final Pattern FIRST_TEST = Pattern.compile("FIRST_TEST ms=(\\d+)");

    private WatchBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(".");
        int rounds = 10;
        int backends = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--backends" -> backends = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        root = root.toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("proxystage-watch-bench");
        try {
            if (backends > 0) {
                // The scale rows' stage: one server block per backend, b001.example.com first.
                ScaleTree tree = ScaleTree.write(work, backends, "dev.proxystage.bench", "watch");
                run(root, tree.confD(), tree.pipeline(), rounds, "scale stage of " + backends + " backends",
                        ScaleFirst.class.getName(), "");
            } else {
                copy(root.resolve("conf.d"), work.resolve("conf.d"));
                copy(root.resolve("example-tests"), work.resolve("example-tests"), "pipeline.yml", "pipeline-offline.yml");
                run(root, work.resolve("conf.d"), work.resolve("example-tests/pipeline.yml"), rounds, "example",
                        SuiteClasses.ALL[0].getName(), "offline");
            }
        } finally {
            deleteRecursively(work);
        }
    }

    private static void run(Path root, Path confD, Path pipeline, int rounds, String what, String testClass, String profile)
            throws Exception {
        Path cliJar = root.resolve("cli/target/proxystage-cli.jar");
        List<String> command = new ArrayList<>(List.of(java(), "-jar", cliJar.toString(), "up", "--config", pipeline.toString(),
                "--stage", "prep", "--watch"));
        if (!profile.isEmpty()) {
            command.addAll(List.of("--profile", profile));
        }
        Process up = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> pump(up.getInputStream(), lines), "up-stdout");
        pump.setDaemon(true);
        pump.start();
        try {
            int port = -1;
            for (String line = next(lines, up); !line.equals("ready"); line = next(lines, up)) {
                Matcher m = NGINX_80.matcher(line);
                if (m.matches()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            if (port < 0) {
                throw new IllegalStateException("up printed no nginx port 80");
            }
            Path edited = confD.resolve("bench-watch.conf");
            Series answered = new Series();
            Series printed = new Series();
            for (int round = 0; round <= rounds; round++) {
                String body = "generation " + round;
                long t = System.nanoTime();
                Files.writeString(edited, "server {\n    listen 80;\n    server_name watch.bench;\n"
                        + "    location / {\n        return 200 \"" + body + "\";\n    }\n}\n");
                while (!body.equals(get(port, "watch.bench"))) {
                    Thread.onSpinWait();
                }
                double ms = (System.nanoTime() - t) / 1e6;
                String reloaded;
                do {
                    reloaded = next(lines, up);
                } while (!reloaded.startsWith("reloaded") && !reloaded.startsWith("rejected"));
                Matcher m = RELOADED.matcher(reloaded);
                if (!m.matches()) {
                    throw new IllegalStateException("round " + round + ": " + reloaded);
                }
                if (round > 0) { // round 0 creates the file: warm-up
                    answered.add(ms);
                    printed.add(Double.parseDouble(m.group(1)));
                }
            }
            Files.delete(edited);
            do {
                // back to the configuration the stage started with, so its fingerprint is the tests' again
            } while (!next(lines, up).startsWith("reloaded"));

            Series attached = new Series();
            Series cold = new Series();
            Series floor = new Series();
            Series okHttp = new Series();
            int jvms = Math.max(3, rounds / 2);
            for (int i = 0; i < jvms; i++) {
                attached.add(firstTest(pipeline, "attach", port, testClass, profile));
                cold.add(firstTest(pipeline, "cold", port, testClass, profile));
                floor.add(firstTest(pipeline, "floor", port, testClass, profile));
                okHttp.add(firstTest(pipeline, "okhttp", port, testClass, profile));
            }
            System.out.println("| case (" + what + ", stage prep" + (profile.isEmpty() ? "" : ", " + profile)
                    + ") | median | min | max | n |");
            System.out.println("| --- | --- | --- | --- | --- |");
            row("conf.d edit → new config answers (`up --watch`)", answered);
            row("`reloaded in … ms` as up printed it", printed);
            row("fresh JVM, first test, attached to up's stage", attached);
            row("fresh JVM, first test, cold stage start", cold);
            row("fresh JVM, first test without ProxyStage (JUnit + one plain request: the floor)", floor);
            row("fresh JVM, first test through a plain OkHttp client, no ProxyStage (the floor of an OkHttp-based client)", okHttp);
            System.out.println();
            System.out.println("attached / cold (medians): " + Series.num(attached.median() / cold.median(), 2) + "×");
            System.out.println("above the floor, attached / cold (medians): "
                    + Series.num((attached.median() - floor.median()) / (cold.median() - floor.median()), 2) + "×");
            System.out.println("plain OkHttp client / cold (medians; no OkHttp-based client's first test is below this): "
                    + Series.num(okHttp.median() / cold.median(), 2) + "×");
            System.out.println("ProxyStage's own part, (attached - plain OkHttp) / cold (medians): "
                    + Series.num((attached.median() - okHttp.median()) / cold.median(), 2) + "×");
        } finally {
            up.destroy();
            if (!up.waitFor(60, TimeUnit.SECONDS)) {
                up.destroyForcibly();
            }
        }
    }

    private static void row(String name, Series series) {
        System.out.println("| " + name + " | " + Series.num(series.median(), 0) + " ms | " + Series.num(series.min(), 0)
                + " ms | " + Series.num(series.max(), 0) + " ms | " + series.size() + " |");
    }

    private static double firstTest(Path pipeline, String mode, int port, String testClass, String profile)
            throws IOException, InterruptedException {
        Process jvm = new ProcessBuilder(java(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=off", "-Dbench.port=" + port,
                "-Dbench.profile=" + profile,
                "-cp", System.getProperty("java.class.path"), FirstTestJvm.class.getName(), pipeline.toString(), mode, testClass)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jvm.waitFor(3, TimeUnit.MINUTES) || jvm.exitValue() != 0) {
            throw new IllegalStateException(mode + " test JVM failed:\n" + out);
        }
        Matcher m = FIRST_TEST.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(mode + " test JVM printed no FIRST_TEST:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The body of {@code GET /} with {@code Host: host} on nginx's published port 80, over a plain socket. */
    private static String get(int port, String host) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? "" : response.substring(body + 4);
        } catch (IOException e) {
            return "";
        }
    }

    private static String next(LinkedBlockingQueue<String> lines, Process up) throws InterruptedException {
        String line = lines.poll(120, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("up printed nothing for 120 s (alive: " + up.isAlive() + ")");
        }
        return line;
    }

    private static void pump(InputStream stream, LinkedBlockingQueue<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // up ended
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void copy(Path from, Path to, String... only) throws IOException {
        List<String> names = List.of(only);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = from.relativize(file);
                if (!names.isEmpty() && !names.contains(relative.toString())) {
                    continue;
                }
                Files.createDirectories(to.resolve(relative).getParent());
                Files.copy(file, to.resolve(relative));
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList())) {
                Files.deleteIfExists(path);
            }
        }
    }
}
