package dev.proxystage.internal.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for files other processes of this user left: this user's, writable by no one else, no link followed. */
class UserFilesTest {

    private final UserFiles files = UserFiles.system();

    @TempDir
    Path tmp;

    private Path outside;
    private Path secret;

    @BeforeEach
    void somethingOutsideThatMustSurvive() throws IOException {
        outside = Files.createDirectory(tmp.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret.txt"), "keep me\n");
    }

    private Path ownDirectory(String name) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    @Test
    void aPrivateDirectoryOfThisUserPassesAndAnythingElseIsRefusedNamingItsOwner() throws IOException {
        Path dir = ownDirectory("mine");
        Path file = Files.writeString(dir.resolve("stage.properties"), "x=1\n");
        assertThat(files.refusal(dir, PathFacts.Type.DIRECTORY)).isEmpty();
        assertThat(files.refusal(file, PathFacts.Type.FILE)).isEmpty();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(files.refusal(file, PathFacts.Type.FILE)).hasValueSatisfying(why -> assertThat(why)
                .startsWith(file + " is writable by others than its owner ").endsWith(": mode 0664"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertThat(files.refusal(link, PathFacts.Type.FILE)).hasValueSatisfying(why -> assertThat(why)
                .startsWith(link + " is a symbolic link, not a regular file, owned by "));
        assertThat(files.refusal(dir.resolve("none"), PathFacts.Type.FILE)).hasValue(dir.resolve("none") + " does not exist");
        assertThat(files.refusalIfPresent(dir.resolve("none"), PathFacts.Type.FILE)).isEmpty();

        long mine = files.facts(dir).orElseThrow().uid();
        UserFiles someoneElse = new UserFiles(OptionalLong.of(mine + 1), PathFacts.Reader.SYSTEM);
        assertThat(someoneElse.refusal(dir, PathFacts.Type.DIRECTORY)).hasValueSatisfying(why -> assertThat(why)
                .startsWith(dir + " is owned by ").endsWith(", not by this user (uid " + (mine + 1) + ")"));
    }

    @Test
    void aFilePlantedByAnotherUserIsRefused() throws IOException {
        Path file = Planted.byAnotherUser(Files.writeString(ownDirectory("mine").resolve("ca.pem"), "x"));

        assertThat(files.refusal(file, PathFacts.Type.FILE))
                .hasValue(file + " is owned by nobody (uid 65534), not by this user (uid 0)");
    }

    @Test
    void deletingATreeDeletesLinksNeverWhatTheyPointTo() throws IOException {
        Path dir = ownDirectory("proxystage-pki-1-a");
        Files.writeString(dir.resolve("ca.pem"), "x");
        Path nested = Files.createDirectory(dir.resolve("nested"));
        Files.writeString(nested.resolve("leaf.pem"), "x");
        Files.createSymbolicLink(dir.resolve("to-file"), secret);
        Files.createSymbolicLink(nested.resolve("to-dir"), outside);

        files.deleteTree(dir);

        assertThat(dir).doesNotExist();
        assertThat(secret).hasContent("keep me");
        assertThat(outside).isDirectory();
    }

    @Test
    void aTreeThatIsALinkOrThatOthersMayWriteIsNotDeleted() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("proxystage-pki-1-link"), outside);
        assertThatThrownBy(() -> files.deleteTree(link)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("not deleting it: " + link + " is a symbolic link, not a directory, owned by ");
        assertThat(secret).hasContent("keep me");

        Path open = ownDirectory("proxystage-pki-2-open");
        Files.writeString(open.resolve("ca.pem"), "x");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> files.deleteTree(open)).hasMessageEndingWith(": mode 0777");
        assertThat(open.resolve("ca.pem")).exists();

        files.deleteTree(tmp.resolve("never-there"));
    }

    @Test
    void aTreeWithAnotherUsersEntriesIsLeftWithThem() throws IOException {
        Path dir = ownDirectory("proxystage-pki-3-a");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Path their = Files.writeString(theirs.resolve("file"), "theirs");
        Planted.byAnotherUser(theirs);

        assertThatThrownBy(() -> files.deleteTree(dir)).isInstanceOf(IOException.class)
                .hasMessage("not deleting " + dir + ": " + theirs + " is owned by nobody (uid 65534), not by this user (uid 0)");
        assertThat(their).hasContent("theirs");

        Path another = ownDirectory("proxystage-pki-4-a");
        Path file = Planted.byAnotherUser(Files.writeString(another.resolve("planted"), "theirs"));
        assertThatThrownBy(() -> files.deleteTree(another)).hasMessageContaining(file + " is owned by nobody (uid 65534)");
        assertThat(file).exists();
    }
}
