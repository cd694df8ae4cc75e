package dev.proxystage.internal.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where this user's runs keep their CA directories and {@code up}'s stage records: {@code $XDG_RUNTIME_DIR/proxystage}
 * when that variable names a directory of this user that no one else may write, else {@code ~/.proxystage/run}.
 * The directory is made {@code 0700}; one that exists must be a directory (not a symbolic link) of this user that no
 * one else may write. Otherwise it is refused, and the run falls back to what needs no trust: no stage record is
 * read (a test JVM starts a fresh stage unless the engine's labels name one), and the run's CA goes into a fresh
 * private directory in the temporary directory.
 */
public final class RunDirectory {

    static final String XDG_RUNTIME_DIR = "XDG_RUNTIME_DIR";

    private RunDirectory() {
    }

    /**
     * Where this user's run directory is, and whether it may be used.
     *
     * @param path    the run directory
     * @param problem why it may not be used, one line naming it and its owner; empty when it may
     * @param exists  whether it is there (when usable and not there, {@link #open()} makes it)
     * @param tmp     the temporary directory, the fallback for a refused run directory
     */
    public record Decision(Path path, Optional<String> problem, boolean exists, Path tmp) {

        /** Whether stage records and CA directories may be kept in {@link #path()}. */
        public boolean usable() {
            return problem.isEmpty() && exists;
        }

        /** Where stage records are read: the run directory; none when it is refused. */
        public Optional<Path> records() {
            return usable() ? Optional.of(path) : Optional.empty();
        }

        /**
         * Where a new CA directory goes: the run directory, or, when it is refused, the temporary directory, where a
         * directory of a fresh random name made {@code 0700} is still this run's alone.
         */
        public Path caParent() {
            return usable() ? path : tmp;
        }

        /**
         * Where the sweep looks for CA directories of JVMs that are gone: the run directory, and the temporary
         * directory, which has those made while the run directory was refused and by versions before it.
         */
        public List<Path> sweepRoots() {
            return usable() ? List.of(path, tmp) : List.of(tmp);
        }
    }

    /**
     * The decision for a user with these inputs, reading but never changing the file system.
     *
     * @param env   the environment ({@code XDG_RUNTIME_DIR})
     * @param home  the user's home directory
     * @param tmp   the temporary directory
     * @param files this user and how entries are read
     */
    public static Decision decide(Function<String, Optional<String>> env, Path home, Path tmp, UserFiles files) {
        Optional<Path> runtime = env.apply(XDG_RUNTIME_DIR).map(String::strip).filter(v -> !v.isEmpty())
                .map(Path::of).filter(Path::isAbsolute)
                .filter(dir -> files.refusal(dir, PathFacts.Type.DIRECTORY).isEmpty());
        Path path = runtime.map(dir -> dir.resolve("proxystage"))
                .orElseGet(() -> home.toAbsolutePath().resolve(".proxystage").resolve("run"));
        Optional<PathFacts> facts;
        try {
            facts = files.facts(path);
        } catch (IOException | RuntimeException e) {
            return new Decision(path, Optional.of("the run directory " + path + " cannot be read (" + e.getMessage() + ")"),
                    true, tmp);
        }
        if (facts.isEmpty()) {
            return new Decision(path, Optional.empty(), false, tmp);
        }
        return new Decision(path, files.refusal(path, facts.get(), PathFacts.Type.DIRECTORY)
                .map(why -> "the run directory " + why), true, tmp);
    }

    /** This user's run directory on this machine as it is now; nothing is made. */
    public static Decision current() {
        return decide(RunDirectory::environment, home(), tmp(), UserFiles.system());
    }

    /** This user's run directory on this machine, made {@code 0700} when it is missing. */
    public static Decision open() {
        return open(RunDirectory::environment, home(), tmp(), UserFiles.system());
    }

    private static Optional<String> environment(String name) {
        return Optional.ofNullable(System.getenv(name));
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    private static Path tmp() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** {@link #decide}, then makes the run directory when it is usable and missing. */
    static Decision open(Function<String, Optional<String>> env, Path home, Path tmp, UserFiles files) {
        Decision decision = decide(env, home, tmp, files);
        if (decision.problem().isPresent() || decision.exists()) {
            return decision;
        }
        try {
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] ownerOnly = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                    : new FileAttribute<?>[0];
            Files.createDirectories(decision.path().getParent(), ownerOnly);
            Files.createDirectory(decision.path(), ownerOnly);
        } catch (FileAlreadyExistsException raced) {
            // Made meanwhile (another JVM of this user, or someone else): judged below like any existing one.
        } catch (IOException | RuntimeException e) {
            return new Decision(decision.path(), Optional.of("the run directory " + decision.path() + " cannot be made ("
                    + e.getMessage() + ")"), false, tmp);
        }
        Decision made = decide(env, home, tmp, files);
        return made.exists() || made.problem().isPresent() ? made
                : new Decision(made.path(), Optional.of("the run directory " + made.path() + " vanished after it was made"),
                        false, tmp);
    }
}
