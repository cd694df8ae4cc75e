package dev.proxystage.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion and returns its stdout; fails with its stderr when it exits non-zero. */
final class Shell {

    record Result(int exit, String out, String err) {
    }

    private Shell() {
    }

    static Result run(Path dir, Map<String, String> env, long timeoutSeconds, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile());
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    static String check(Path dir, Map<String, String> env, long timeoutSeconds, List<String> command) {
        Result result = run(dir, env, timeoutSeconds, command);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit() + ": " + result.err().strip());
        }
        return result.out();
    }

    static String check(String... command) {
        return check(null, Map.of(), 60, List.of(command));
    }

    /** Stdout of a command, or empty when it is missing or fails (for machine facts). */
    static String quiet(String... command) {
        try {
            Result r = run(null, Map.of(), 20, List.of(command));
            return r.exit() == 0 ? r.out().strip() : "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
