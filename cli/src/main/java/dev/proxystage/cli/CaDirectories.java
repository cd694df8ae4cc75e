package dev.proxystage.cli;

import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The test CA directories of {@code up} runs. {@code up} marks its CA's directory with its pid, so that {@code down}
 * can delete the directory a killed {@code up} left behind (it holds only {@code ca.pem}: the CA's key never leaves
 * the JVM). Directories of test JVMs carry no mark and are left alone.
 */
final class CaDirectories {

    static final String MARKER = "proxystage-up.properties";
    private static final String PREFIX = "proxystage-pki-";

    private CaDirectories() {
    }

    /** A CA directory that {@code down} removed, and the run it belonged to. */
    record Removed(Path directory, String stage, String runId, long pid) {
    }

    static void mark(TestCertificateAuthority ca, String stage, String runId) {
        String text = "pid=" + ProcessHandle.current().pid() + "\nstage=" + stage + "\nrun=" + runId + "\n";
        try {
            Files.writeString(ca.directory().resolve(MARKER), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // Only down's cleanup after a kill -9 depends on it.
        }
    }

    /** Deletes the marked CA directories in {@code tmp} whose {@code up} is gone (for {@code stage}, or any). */
    static List<Removed> removeStale(Path tmp, Optional<String> stage) {
        List<Removed> removed = new ArrayList<>();
        if (!Files.isDirectory(tmp)) {
            return removed;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                Path marker = dir.resolve(MARKER);
                if (!Files.isRegularFile(marker)) {
                    continue;
                }
                Properties owner = new Properties();
                try (var in = Files.newInputStream(marker)) {
                    owner.load(in);
                }
                long pid = parsePid(owner.getProperty("pid"));
                String ownerStage = owner.getProperty("stage", "?");
                if (stage.isPresent() && !stage.get().equals(ownerStage) || pid <= 0 || stillUp(pid)) {
                    continue;
                }
                deleteRecursively(dir);
                removed.add(new Removed(dir, ownerStage, owner.getProperty("run", "?"), pid));
            }
        } catch (IOException e) {
            // A directory we cannot read or delete is not ours to worry about.
        }
        return removed;
    }

    static Path tmp() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static boolean stillUp(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().arguments().map(args -> StageOwners.isUp(Arrays.asList(args))).orElse(true))
                .orElse(false);
    }

    private static long parsePid(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
