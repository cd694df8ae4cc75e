package dev.proxystage.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.files.Planted;
import dev.proxystage.internal.files.UserFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up sweep of CA directories whose JVM is gone: it deletes only this user's, never through a link, and no
 * name stops it.
 */
class AbandonedCaSweepTest {

    /** No pid on Linux is this large (pid_max is at most 2^22): its JVM is gone. */
    private static final long GONE = 999_999_999L;

    @TempDir
    Path root;

    private Path outside;

    @BeforeEach
    void aFileOutsideTheRoot(@TempDir Path elsewhere) throws IOException {
        outside = Files.writeString(elsewhere.resolve("precious.txt"), "keep me\n");
    }

    private Path caDirectory(long pid, String suffix) throws IOException {
        Path dir = Files.createDirectory(root.resolve("proxystage-pki-" + pid + "-" + suffix));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        return dir;
    }

    private List<Path> sweep() {
        return TestCertificateAuthority.removeAbandoned(List.of(root, root.resolve("missing-root")), UserFiles.system());
    }

    @Test
    void theDirectoriesOfGoneJvmsAreDeletedAndThoseOfLiveOnesKept() throws IOException {
        Path gone = caDirectory(GONE, "a");
        Path live = caDirectory(ProcessHandle.current().pid(), "b");

        assertThat(sweep()).containsExactly(gone);
        assertThat(gone).doesNotExist();
        assertThat(live.resolve("ca.pem")).exists();
    }

    @Test
    void noMalformedNameStopsTheSweep() throws IOException {
        // Planted among many: whichever order the directory lists them in, every gone one after them is still swept.
        List<Path> gone = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            gone.add(caDirectory(GONE, "g" + i));
        }
        Path huge = caDirectory(0, "x").resolveSibling("proxystage-pki-99999999999999999999-x");
        Files.move(root.resolve("proxystage-pki-0-x"), huge);
        Path words = Files.move(caDirectory(1, "y"), root.resolve("proxystage-pki-abc-y"));
        Path noDash = Files.move(caDirectory(2, "z"), root.resolve("proxystage-pki-"));
        Files.writeString(root.resolve("proxystage-pki-3-file"), "not a directory");

        assertThat(sweep()).containsExactlyInAnyOrderElementsOf(gone);
        assertThat(huge).isDirectory();
        assertThat(words).isDirectory();
        assertThat(noDash).isDirectory();
        assertThat(root.resolve("proxystage-pki-3-file")).exists();
    }

    @Test
    void aLinkInASweptDirectoryIsDeletedItselfNeverItsTarget() throws IOException {
        Path gone = caDirectory(GONE, "a");
        Files.createSymbolicLink(gone.resolve("ca.pem.bak"), outside);
        Files.createSymbolicLink(gone.resolve("dir"), outside.getParent());

        assertThat(sweep()).containsExactly(gone);
        assertThat(gone).doesNotExist();
        assertThat(outside).hasContent("keep me");
    }

    @Test
    void aLinkNamedLikeACaDirectoryIsNeverFollowed() throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("proxystage-pki-" + GONE + "-link"), outside.getParent());

        assertThat(sweep()).isEmpty();
        assertThat(outside).hasContent("keep me");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void anotherUsersDirectoryOrOneOthersMayWriteIsLeftAlone() throws IOException {
        Path theirs = Planted.byAnotherUser(caDirectory(GONE, "theirs"));
        Path open = caDirectory(GONE, "open");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path mixed = caDirectory(GONE, "mixed");
        Path planted = Planted.byAnotherUser(Files.writeString(mixed.resolve("planted"), "theirs"));
        Path mine = caDirectory(GONE, "mine");

        assertThat(sweep()).containsExactly(mine);
        assertThat(theirs.resolve("ca.pem")).exists();
        assertThat(open.resolve("ca.pem")).exists();
        assertThat(planted).hasContent("theirs");
    }
}
