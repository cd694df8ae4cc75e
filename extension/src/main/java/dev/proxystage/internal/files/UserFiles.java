package dev.proxystage.internal.files;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The one rule for files that other processes of this user left for this one (stage records, CA directories): they
 * are used, and deleted, only when this user owns them and no one else may write them, judged without following a
 * symbolic link. Another local user can plant anything in a shared directory; nothing planted is trusted or followed.
 */
public final class UserFiles {

    private final OptionalLong uid;
    private final PathFacts.Reader reader;

    /**
     * @param uid    this user's numeric id; empty where the file system has no POSIX owners (then only the types
     *               are judged)
     * @param reader how entries are read
     */
    public UserFiles(OptionalLong uid, PathFacts.Reader reader) {
        this.uid = uid;
        this.reader = reader;
    }

    /** This process's user on this machine's file system. */
    public static UserFiles system() {
        return new UserFiles(ThisProcess.UID, PathFacts.Reader.SYSTEM);
    }

    /** Asked once: the platform looks up the whole user (name, groups) to answer. */
    private static final class ThisProcess {
        static final OptionalLong UID = currentUid();
    }

    /** The facts of {@code path}, not following a symbolic link; empty when nothing is there. */
    public Optional<PathFacts> facts(Path path) throws IOException {
        return reader.read(path);
    }

    /**
     * Why {@code path} is not a {@code type} of this user that no one else may write, in one line that names the path
     * and its owner; empty when it is. A missing path is a reason too.
     */
    public Optional<String> refusal(Path path, PathFacts.Type type) {
        Optional<PathFacts> facts;
        try {
            facts = reader.read(path);
        } catch (IOException | RuntimeException e) {
            return Optional.of(path + " cannot be read (" + e.getMessage() + ")");
        }
        return facts.isEmpty() ? Optional.of(path + " does not exist") : refusal(path, facts.get(), type);
    }

    /** As {@link #refusal(Path, PathFacts.Type)}, but nothing at {@code path} is no reason. */
    public Optional<String> refusalIfPresent(Path path, PathFacts.Type type) {
        Optional<String> refusal = refusal(path, type);
        return refusal.isPresent() && refusal.get().equals(path + " does not exist") ? Optional.empty() : refusal;
    }

    /** Why an entry with these facts is not a {@code type} of this user that no one else may write. */
    public Optional<String> refusal(Path path, PathFacts facts, PathFacts.Type type) {
        if (facts.type() != type) {
            return Optional.of(path + " is " + facts.type() + ", not " + type + ", owned by " + facts.ownerText());
        }
        return ownerRefusal(path, facts).or(() -> facts.writableByOthers()
                ? Optional.of(path + " is writable by others than its owner " + facts.ownerText() + ": mode "
                        + String.format("%04o", facts.mode()))
                : Optional.empty());
    }

    private Optional<String> ownerRefusal(Path path, PathFacts facts) {
        if (uid.isEmpty() || facts.uid() < 0 || facts.uid() == uid.getAsLong()) {
            return Optional.empty();
        }
        return Optional.of(path + " is owned by " + facts.ownerText() + ", not by this user (uid " + uid.getAsLong() + ")");
    }

    /**
     * Deletes the directory {@code directory} and everything in it, when it is this user's and no one else may write
     * it; a directory inside must be so too. The walk never follows a symbolic link: a link is deleted itself, never
     * what it points to. As no one else may write these directories, no one can swap an entry for a link meanwhile.
     * Nothing at {@code directory} is no error.
     *
     * @throws IOException naming what was not deleted and why; what was deleted before stays deleted
     */
    public void deleteTree(Path directory) throws IOException {
        Optional<PathFacts> top = reader.read(directory);
        if (top.isEmpty()) {
            return;
        }
        Optional<String> refusal = refusal(directory, top.get(), PathFacts.Type.DIRECTORY);
        if (refusal.isPresent()) {
            throw new IOException("not deleting it: " + refusal.get());
        }
        Files.walkFileTree(directory, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Optional<String> why = refusal(dir, PathFacts.Type.DIRECTORY);
                if (why.isPresent()) {
                    throw new IOException("not deleting " + directory + ": " + why.get());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isSymbolicLink()) {
                    Optional<PathFacts> facts = reader.read(file);
                    Optional<String> why = facts.flatMap(f -> ownerRefusal(file, f));
                    if (why.isPresent()) {
                        throw new IOException("not deleting " + directory + ": " + why.get());
                    }
                }
                // Files.delete removes a link itself, never its target.
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** This process's uid, where the platform says (Linux, macOS); empty elsewhere. */
    private static OptionalLong currentUid() {
        try {
            return OptionalLong.of(new UnixSystem().getUid());
        } catch (LinkageError | RuntimeException notUnix) {
            return OptionalLong.empty();
        }
    }
}
