package dev.proxystage.internal.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;

/**
 * What is at a path, read without following a symbolic link: its type, its owner and its permission bits.
 *
 * @param type  what the entry itself is (a symbolic link is never resolved)
 * @param uid   the owner's numeric id; -1 where the file system has no POSIX owners
 * @param owner the owner's name as the system knows it (the number when it has no name)
 * @param mode  the permission bits ({@code 0755}); 0 where the file system has none
 */
public record PathFacts(Type type, long uid, String owner, int mode) {

    /** What an entry is. */
    public enum Type {
        DIRECTORY("a directory"), FILE("a regular file"), SYMLINK("a symbolic link"), OTHER("a special file");

        private final String words;

        Type(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    private static final int GROUP_OR_OTHER_WRITE = 0022;

    /** Whether someone other than the owner may write it (group or other write bit). */
    public boolean writableByOthers() {
        return (mode & GROUP_OR_OTHER_WRITE) != 0;
    }

    /** {@code nobody (uid 65534)}, or {@code uid 65534} when the owner has no name. */
    public String ownerText() {
        if (uid < 0) {
            return owner;
        }
        return owner.equals(Long.toString(uid)) ? "uid " + uid : owner + " (uid " + uid + ")";
    }

    /** Reads {@link PathFacts}, never following a symbolic link. */
    @FunctionalInterface
    public interface Reader {

        /** The facts of {@code path}; empty when nothing is there. */
        Optional<PathFacts> read(Path path) throws IOException;

        /** This machine's file system. */
        Reader SYSTEM = PathFacts::readSystem;
    }

    private static Optional<PathFacts> readSystem(Path path) throws IOException {
        try {
            Map<String, Object> unix = Files.readAttributes(path,
                    "unix:uid,mode,owner,isDirectory,isRegularFile,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
            Type type = Boolean.TRUE.equals(unix.get("isSymbolicLink")) ? Type.SYMLINK
                    : Boolean.TRUE.equals(unix.get("isDirectory")) ? Type.DIRECTORY
                    : Boolean.TRUE.equals(unix.get("isRegularFile")) ? Type.FILE : Type.OTHER;
            return Optional.of(new PathFacts(type, ((Number) unix.get("uid")).longValue(),
                    String.valueOf(unix.get("owner")), ((Number) unix.get("mode")).intValue() & 07777));
        } catch (NoSuchFileException missing) {
            return Optional.empty();
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            // Not a POSIX file system: types only, no owners to judge.
            try {
                BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Type type = basic.isSymbolicLink() ? Type.SYMLINK : basic.isDirectory() ? Type.DIRECTORY
                        : basic.isRegularFile() ? Type.FILE : Type.OTHER;
                return Optional.of(new PathFacts(type, -1, Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName(), 0));
            } catch (NoSuchFileException missing) {
                return Optional.empty();
            }
        }
    }
}
