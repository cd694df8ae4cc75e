package dev.proxystage.internal.init;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a set of files into one directory all or none: each file goes to a temporary file beside its target
 * (written and synced), a target {@code --force} replaces is copied aside, then each temporary file is renamed onto
 * its target (atomically where the file system can). When any step fails, what was renamed is put back, the
 * temporary and backup files go, and nothing of the new set remains. A target that is a symbolic link (dangling or
 * not) or not a regular file is refused before anything is written: nothing is written through a link or outside
 * the directory.
 */
final class FileSet {

    /** The file operations a write uses; tests fail one of them to see the set roll back. */
    interface Ops {
        /** Writes {@code content} into the new, empty {@code file} and syncs it to disk. */
        void write(Path file, String content) throws IOException;

        /** Copies {@code target} aside to {@code backup} (which does not exist yet). */
        void backup(Path target, Path backup) throws IOException;

        /** Renames {@code from} onto {@code to}, replacing it. */
        void move(Path from, Path to) throws IOException;
    }

    /** One file written: where, and whether it replaced one that was there. */
    record Written(Path path, boolean replaced) {
    }

    static final Ops DISK = new Ops() {
        @Override
        public void write(Path file, String content) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
        }

        @Override
        public void backup(Path target, Path backup) throws IOException {
            Files.copy(target, backup, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }

        @Override
        public void move(Path from, Path to) throws IOException {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    };

    private FileSet() {
    }

    /**
     * Writes {@code files} (name to text) into {@code dir}, creating it if needed.
     *
     * @throws ProxyStageException with one line when a target is a link or not a file, exists without
     *                             {@code force}, or a step fails; then nothing of the set is written
     */
    static List<Written> write(Path dir, Map<String, String> files, boolean force, Ops ops) {
        List<Path> createdDirs = new ArrayList<>();
        Path out;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ProxyStageException(dir + " is not a directory; nothing written");
        }
        try {
            out = directory(dir, createdDirs);
        } catch (IOException e) {
            removeCreated(createdDirs);
            throw new ProxyStageException("cannot create " + dir + ": " + reason(e) + "; nothing written");
        }
        Map<Path, String> targets = new LinkedHashMap<>();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path target = out.resolve(f.getKey()).normalize();
            if (!out.equals(target.getParent())) {
                throw new ProxyStageException(dir.resolve(f.getKey()) + " is outside " + dir + "; nothing written");
            }
            if (Files.isSymbolicLink(target)) {
                String to = linkTarget(target);
                removeCreated(createdDirs);
                throw new ProxyStageException(dir.resolve(f.getKey()) + " is a symbolic link" + to + "; init writes no"
                        + " file through a link: remove it, or choose another --out; nothing written");
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ProxyStageException(dir.resolve(f.getKey()) + " exists and is not a regular file;"
                            + " nothing written");
                }
                existing.add(dir.resolve(f.getKey()).toString());
            }
            targets.put(target, f.getValue());
        }
        if (!existing.isEmpty() && !force) {
            throw new ProxyStageException(String.join(", ", existing) + (existing.size() == 1 ? " exists" : " exist")
                    + "; nothing written (--force overwrites)");
        }
        Map<Path, Path> temps = new LinkedHashMap<>();
        Map<Path, Path> backups = new LinkedHashMap<>();
        List<Path> moved = new ArrayList<>();
        try {
            for (Map.Entry<Path, String> t : targets.entrySet()) {
                Path temp = Files.createTempFile(out, "." + t.getKey().getFileName() + ".", ".tmp");
                temps.put(t.getKey(), temp);
                permissions(temp, t.getKey());
                ops.write(temp, t.getValue());
            }
            for (Path target : targets.keySet()) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Path backup = out.resolve("." + target.getFileName() + "." + Long.toHexString(System.nanoTime())
                            + ".bak");
                    ops.backup(target, backup);
                    backups.put(target, backup);
                }
            }
            for (Path target : targets.keySet()) {
                ops.move(temps.get(target), target);
                moved.add(target);
            }
        } catch (IOException | RuntimeException e) {
            String undone = rollBack(moved, backups, ops);
            deleteAll(temps.values());
            deleteAll(backups.values());
            removeCreated(createdDirs);
            throw new ProxyStageException("cannot write into " + dir + ": " + reason(e) + "; nothing written" + undone);
        }
        deleteAll(backups.values());
        List<Written> written = new ArrayList<>();
        for (Path target : targets.keySet()) {
            written.add(new Written(dir.resolve(target.getFileName().toString()), backups.containsKey(target)));
        }
        return written;
    }

    /** A replaced file keeps its permissions; a new one is rw-r--r-- (a temporary file starts owner-only). */
    private static void permissions(Path temp, Path target) throws IOException {
        try {
            Files.setPosixFilePermissions(temp, Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                    ? Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS)
                    : PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // the file system's defaults
        }
    }

    /** The directory, created with its missing parents (remembered, to remove them on failure); its real path. */
    private static Path directory(Path dir, List<Path> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException raced) {
                continue;
            }
            created.add(0, p);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory");
        }
        return dir.toRealPath();
    }

    /** Puts back what was replaced and removes what was new; empty, or what could not be undone. */
    private static String rollBack(List<Path> moved, Map<Path, Path> backups, Ops ops) {
        List<String> failed = new ArrayList<>();
        for (int i = moved.size() - 1; i >= 0; i--) {
            Path target = moved.get(i);
            try {
                Path backup = backups.get(target);
                if (backup != null) {
                    ops.move(backup, target);
                } else {
                    Files.deleteIfExists(target);
                }
            } catch (IOException | RuntimeException e) {
                failed.add(target + " (" + reason(e) + ")");
            }
        }
        return failed.isEmpty() ? "" : " (and could not restore " + String.join(", ", failed) + ")";
    }

    private static void deleteAll(Iterable<Path> paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort: a leftover temporary file is hidden and named after its target
            }
        }
    }

    private static void removeCreated(List<Path> created) {
        for (Path p : created) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return; // not empty after all: leave it and its parents
            }
        }
    }

    private static String linkTarget(Path link) {
        try {
            return " to " + Files.readSymbolicLink(link);
        } catch (IOException e) {
            return "";
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            message = fs.getReason();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
