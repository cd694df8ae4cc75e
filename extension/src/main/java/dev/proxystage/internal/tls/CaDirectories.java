package dev.proxystage.internal.tls;

import dev.proxystage.internal.files.PathFacts;
import dev.proxystage.internal.files.RunDirectory;
import dev.proxystage.internal.files.UpProcesses;
import dev.proxystage.internal.files.UserFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The test CA directories of {@code up} runs. {@code up} marks its CA's directory with its pid, so that {@code down}
 * can delete the directory a killed {@code up} left behind (it holds only {@code ca.pem}: the CA's key never leaves
 * the JVM). Directories of test JVMs carry no mark and are left alone. They are in this user's
 * {@link RunDirectory}, and only this user's are read or deleted.
 */
public final class CaDirectories {

    public static final String MARKER = "proxystage-up.properties";
    private static final String PREFIX = "proxystage-pki-";

    private CaDirectories() {
    }

    /** A CA directory that {@code down} removed, and the run it belonged to. */
    public record Removed(Path directory, String stage, String runId, long pid) {
    }

    public static void mark(TestCertificateAuthority ca, String stage, String runId) {
        String text = "pid=" + ProcessHandle.current().pid() + "\nstage=" + stage + "\nrun=" + runId + "\n";
        try {
            // A temporary file is made 0600: down reads only a marker no one else may write.
            Path temp = Files.createTempFile(ca.directory(), MARKER, ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, ca.directory().resolve(MARKER), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // Only down's cleanup after a kill -9 depends on it.
        }
    }

    /** Deletes this user's marked CA directories whose {@code up} is gone (for {@code stage}, or any). */
    public static List<Removed> removeStale(Optional<String> stage) {
        return removeStale(RunDirectory.current().sweepRoots(), stage, UserFiles.system());
    }

    /**
     * Deletes the marked CA directories in {@code roots} whose {@code up} is gone (for {@code stage}, or any). A
     * directory and its marker are read, and deleted, only when they are this user's and no one else may write them,
     * never through a symbolic link ({@link UserFiles#deleteTree}); anything else is left alone and never ends the walk.
     */
    public static List<Removed> removeStale(List<Path> roots, Optional<String> stage, UserFiles files) {
        List<Removed> removed = new ArrayList<>();
        for (Path root : roots) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
                for (Path dir : dirs) {
                    try {
                        removeIfStale(dir, stage, files).ifPresent(removed::add);
                    } catch (IOException | RuntimeException e) {
                        // Not this user's, or it cannot be read or deleted: not ours to worry about.
                    }
                }
            } catch (IOException | RuntimeException e) {
                // A root that is missing or cannot be listed holds nothing to remove.
            }
        }
        return removed;
    }

    private static Optional<Removed> removeIfStale(Path dir, Optional<String> stage, UserFiles files) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (files.refusal(dir, PathFacts.Type.DIRECTORY).or(() -> files.refusal(marker, PathFacts.Type.FILE)).isPresent()) {
            return Optional.empty();
        }
        Properties owner = new Properties();
        try (var in = Files.newInputStream(marker, LinkOption.NOFOLLOW_LINKS)) {
            owner.load(in);
        }
        long pid = parsePid(owner.getProperty("pid"));
        String ownerStage = owner.getProperty("stage", "?");
        if (stage.isPresent() && !stage.get().equals(ownerStage) || pid <= 0 || UpProcesses.stillUp(pid)) {
            return Optional.empty();
        }
        files.deleteTree(dir);
        return Optional.of(new Removed(dir, ownerStage, owner.getProperty("run", "?"), pid));
    }

    private static long parsePid(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
