package dev.proxystage.internal.tls;

import dev.proxystage.ProxyStageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes PEM files with fixed permissions, so the result does not depend on the umask. */
final class PemFiles {

    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    static void writePublic(Path file, String pem) {
        write(file, pem, PUBLIC);
    }

    /**
     * Writes a private key. On POSIX the file is created as 0600 before any key byte is written, so the key is never
     * readable by others, not even for a moment.
     */
    static void writePrivate(Path file, String pem) {
        write(file, pem, PRIVATE);
    }

    private static void write(Path file, String pem, Set<PosixFilePermission> permissions) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (posix()) {
                // Permissions only apply on creation: start from a fresh file.
                Files.deleteIfExists(file);
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE));
                Files.setPosixFilePermissions(file, PRIVATE);
                Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
                Files.setPosixFilePermissions(file, permissions);
            } else {
                Files.writeString(file, pem, StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new ProxyStageException("cannot write " + file + ": " + e, e);
        }
    }
}
