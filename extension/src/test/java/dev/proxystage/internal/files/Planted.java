package dev.proxystage.internal.files;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Files as another local user would plant them: owned by {@code nobody}. Only root can give a file away. */
public final class Planted {

    /** The uid of {@code nobody} on Linux. */
    public static final int OTHER_UID = 65534;

    private Planted() {
    }

    /** Gives {@code path} itself (a link, not its target) to {@link #OTHER_UID}; skips the test unless run as root. */
    public static Path byAnotherUser(Path path) throws IOException {
        assumeTrue(UserFiles.system().facts(path).map(f -> f.uid() >= 0).orElse(false), "a file system with owners");
        assumeTrue(isRoot(), "giving a file to another user takes root");
        Files.setAttribute(path, "unix:uid", OTHER_UID, LinkOption.NOFOLLOW_LINKS);
        return path;
    }

    static boolean isRoot() {
        try {
            return new UnixSystem().getUid() == 0;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
