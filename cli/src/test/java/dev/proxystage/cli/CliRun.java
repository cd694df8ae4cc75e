package dev.proxystage.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One in-process run of the CLI: its exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {

    /** What check says first in unit tests, which run with proxystage.engine=none (see the pom). */
    static final String STATIC_ONLY = "check: static only: no Docker engine answers (proxystage.engine=none), so nginx -t"
            + " did not run\n";

    static final Path FIXTURES = Path.of("src/test/resources/cli").toAbsolutePath();

    static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code check --config <fixture>/pipeline.yml} with more arguments. */
    static CliRun check(String fixture, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "check";
        args[1] = "--config";
        args[2] = fixture(fixture).resolve("pipeline.yml").toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return of(args);
    }

    /** {@code path} as the CLI prints it: relative to the working directory when it is under it. */
    static String shown(Path path) {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) && !absolute.equals(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
    }

    static Path fixture(String name) {
        return FIXTURES.resolve(name);
    }

    /** Copies fixture {@code name}, its directories and files, into {@code project}, which tests then edit. */
    static void copyFixture(String name, Path project) throws IOException {
        Path source = fixture(name);
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

    List<String> outLines() {
        return out.isEmpty() ? List.of() : List.of(out.split("\\R"));
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
