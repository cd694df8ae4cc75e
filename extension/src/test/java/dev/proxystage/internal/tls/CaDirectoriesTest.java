package dev.proxystage.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proxystage.internal.files.UserFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code down}'s removal of the CA directories of killed {@code up}s: only the user's own, never through a link. */
class CaDirectoriesTest {

    /** No pid on Linux is this large: its up is gone. */
    private static final long GONE = 999_999_999L;

    @TempDir
    Path root;

    private Path precious;

    @BeforeEach
    void somethingOutside(@TempDir Path elsewhere) throws IOException {
        precious = Files.writeString(elsewhere.resolve("precious.txt"), "keep me\n");
    }

    /** A CA directory as a killed up of {@code stage} leaves it. */
    private Path upDirectory(String name, String stage) throws IOException {
        Path dir = Files.createDirectory(root.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path marker = Files.writeString(dir.resolve(CaDirectories.MARKER), "pid=" + GONE + "\nstage=" + stage + "\nrun=1a2b3c4d\n");
        Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rw-------"));
        return dir;
    }

    private List<CaDirectories.Removed> removeStale(Optional<String> stage) {
        return CaDirectories.removeStale(List.of(root), stage, UserFiles.system());
    }

    /** Gives {@code path} itself to nobody (uid 65534); root only. */
    private static Path byAnotherUser(Path path) throws IOException {
        assumeTrue(System.getProperty("user.name").equals("root"), "giving a file away takes root");
        Files.setAttribute(path, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
        return path;
    }

    @Test
    void aKilledUpsDirectoryIsRemovedWithLinksInItButNotTheirTargets() throws IOException {
        Path dir = upDirectory("proxystage-pki-" + GONE + "-a", "prep");
        Files.createSymbolicLink(dir.resolve("link"), precious);
        Path other = upDirectory("proxystage-pki-" + GONE + "-b", "ship");

        assertThat(removeStale(Optional.of("prep"))).singleElement()
                .isEqualTo(new CaDirectories.Removed(dir, "prep", "1a2b3c4d", GONE));
        assertThat(dir).doesNotExist();
        assertThat(other).as("another stage's").isDirectory();
        assertThat(precious).hasContent("keep me");
    }

    @Test
    void anotherUsersDirectoryOrMarkerIsLeftAlone() throws IOException {
        Path theirs = byAnotherUser(upDirectory("proxystage-pki-" + GONE + "-theirs", "prep"));
        Path plantedMarker = upDirectory("proxystage-pki-" + GONE + "-marker", "prep");
        byAnotherUser(plantedMarker.resolve(CaDirectories.MARKER));
        Path mine = upDirectory("proxystage-pki-" + GONE + "-mine", "prep");

        assertThat(removeStale(Optional.empty())).extracting(CaDirectories.Removed::directory).containsExactly(mine);
        assertThat(theirs).isDirectory();
        assertThat(plantedMarker).isDirectory();
    }

    @Test
    void aLinkedDirectoryOrMarkerOrABadMarkerNeverEndsTheWalk() throws IOException {
        Path target = upDirectory("target", "prep");
        Files.createSymbolicLink(root.resolve("proxystage-pki-" + GONE + "-link"), target);
        Path linkedMarker = upDirectory("proxystage-pki-" + GONE + "-linked-marker", "prep");
        Files.move(linkedMarker.resolve(CaDirectories.MARKER), root.resolve("marker"));
        Files.createSymbolicLink(linkedMarker.resolve(CaDirectories.MARKER), root.resolve("marker"));
        Path huge = upDirectory("proxystage-pki-99999999999999999999-x", "prep");
        Files.writeString(huge.resolve(CaDirectories.MARKER), "pid=99999999999999999999\nstage=prep\n");
        Path mine = upDirectory("proxystage-pki-" + GONE + "-mine", "prep");

        assertThat(removeStale(Optional.empty())).extracting(CaDirectories.Removed::directory).containsExactly(mine);
        assertThat(target.resolve("ca.pem")).exists();
        assertThat(linkedMarker).isDirectory();
        assertThat(huge).isDirectory();
    }
}
