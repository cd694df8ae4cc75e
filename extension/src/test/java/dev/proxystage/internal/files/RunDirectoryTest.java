package dev.proxystage.internal.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a user's stage records and CA directories live, and when that place is refused. */
class RunDirectoryTest {

    private static final long ME = 1000;
    private static final Path HOME = Path.of("/home/me");
    private static final Path TMP = Path.of("/tmp");
    private static final Path XDG = Path.of("/run/user/1000");

    /** What the decision sees: entries by path, nothing else on disk. */
    private final Map<Path, PathFacts> disk = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final UserFiles files = new UserFiles(OptionalLong.of(ME), path -> Optional.ofNullable(disk.get(path)));

    private RunDirectory.Decision decide() {
        return RunDirectory.decide(name -> Optional.ofNullable(env.get(name)), HOME, TMP, files);
    }

    private static PathFacts dir(long uid, int mode) {
        return new PathFacts(PathFacts.Type.DIRECTORY, uid, uid == ME ? "me" : uid == 65534 ? "nobody" : Long.toString(uid), mode);
    }

    @Test
    void withoutXdgRuntimeDirItIsInTheHomeAndMadeWhenMissing() {
        RunDirectory.Decision decision = decide();

        assertThat(decision.path()).isEqualTo(HOME.resolve(".proxystage/run"));
        assertThat(decision.problem()).isEmpty();
        assertThat(decision.exists()).isFalse();
    }

    @Test
    void aPrivateXdgRuntimeDirOfThisUserIsPreferred() {
        env.put("XDG_RUNTIME_DIR", XDG.toString());
        disk.put(XDG, dir(ME, 0700));
        disk.put(XDG.resolve("proxystage"), dir(ME, 0700));

        RunDirectory.Decision decision = decide();

        assertThat(decision.path()).isEqualTo(XDG.resolve("proxystage"));
        assertThat(decision.usable()).isTrue();
        assertThat(decision.records()).contains(XDG.resolve("proxystage"));
        assertThat(decision.caParent()).isEqualTo(XDG.resolve("proxystage"));
        assertThat(decision.sweepRoots()).containsExactly(XDG.resolve("proxystage"), TMP);
    }

    @Test
    void anXdgRuntimeDirThatIsNotThisUsersOwnPrivateDirectoryIsPassedOver() {
        for (String value : List.of("", "relative/dir", XDG.toString())) {
            env.put("XDG_RUNTIME_DIR", value);
            assertThat(decide().path()).as("XDG_RUNTIME_DIR=%s, which does not exist", value).isEqualTo(HOME.resolve(".proxystage/run"));
        }
        disk.put(XDG, dir(65534, 0700));
        assertThat(decide().path()).as("another user's").isEqualTo(HOME.resolve(".proxystage/run"));
        disk.put(XDG, dir(ME, 0777));
        assertThat(decide().path()).as("writable by all").isEqualTo(HOME.resolve(".proxystage/run"));
        disk.put(XDG, new PathFacts(PathFacts.Type.SYMLINK, ME, "me", 0777));
        assertThat(decide().path()).as("a link").isEqualTo(HOME.resolve(".proxystage/run"));
    }

    @Test
    void aRunDirectoryOfAnotherUserIsRefusedNamingItsOwnerAndTheRunFallsBackToWhatNeedsNoTrust() {
        Path run = HOME.resolve(".proxystage/run");
        disk.put(run, dir(65534, 0700));

        RunDirectory.Decision decision = decide();

        assertThat(decision.problem()).hasValue("the run directory " + run + " is owned by nobody (uid 65534), not by this user (uid 1000)");
        assertThat(decision.usable()).isFalse();
        assertThat(decision.records()).as("no record is read").isEmpty();
        assertThat(decision.caParent()).as("a fresh private directory in the temporary directory").isEqualTo(TMP);
        assertThat(decision.sweepRoots()).containsExactly(TMP);
    }

    @Test
    void aRunDirectoryThatOthersMayWriteOrThatIsALinkOrAFileIsRefused() {
        Path run = HOME.resolve(".proxystage/run");
        disk.put(run, dir(ME, 0770));
        assertThat(decide().problem()).hasValue("the run directory " + run + " is writable by others than its owner me (uid 1000): mode 0770");
        disk.put(run, dir(ME, 0702));
        assertThat(decide().problem()).hasValueSatisfying(why -> assertThat(why).endsWith(": mode 0702"));
        disk.put(run, new PathFacts(PathFacts.Type.SYMLINK, 4242, "4242", 0777));
        assertThat(decide().problem()).hasValue("the run directory " + run + " is a symbolic link, not a directory, owned by uid 4242");
        disk.put(run, new PathFacts(PathFacts.Type.FILE, ME, "me", 0600));
        assertThat(decide().problem()).hasValue("the run directory " + run + " is a regular file, not a directory, owned by me (uid 1000)");
    }

    @Test
    void openMakesTheRunDirectoryOwnerOnlyAndThenUsesIt(@TempDir Path home) throws Exception {
        RunDirectory.Decision made = RunDirectory.open(name -> Optional.empty(), home, TMP, UserFiles.system());

        assertThat(made.path()).isEqualTo(home.resolve(".proxystage/run"));
        assertThat(made.usable()).as(made.toString()).isTrue();
        assertThat(made.path()).isDirectory();
        assertThat(Files.getPosixFilePermissions(made.path())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(RunDirectory.open(name -> Optional.empty(), home, TMP, UserFiles.system())).isEqualTo(made);
    }

    @Test
    void openLeavesAnotherUsersRunDirectoryAsItIs(@TempDir Path home) throws Exception {
        Path run = Files.createDirectories(home.resolve(".proxystage/run"));
        Planted.byAnotherUser(run);

        RunDirectory.Decision decision = RunDirectory.open(name -> Optional.empty(), home, TMP, UserFiles.system());

        assertThat(decision.problem()).hasValue("the run directory " + run + " is owned by nobody (uid 65534), not by this user (uid 0)");
        assertThat(Files.getAttribute(run, "unix:uid")).isEqualTo(65534);
    }
}
