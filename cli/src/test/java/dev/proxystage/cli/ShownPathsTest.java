package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Paths in check's and init's lines are relative to the working directory, absolute outside it. */
class ShownPathsTest {

    private static final Path CWD = Path.of("/home/me/proxy");

    @Test
    void aPathUnderTheWorkingDirectoryIsRelative() {
        assertThat(Main.shown("/home/me/proxy/conf.d/app.conf:3: warning: x", CWD))
                .isEqualTo("conf.d/app.conf:3: warning: x");
    }

    @Test
    void pathsQuotedInTheMessageAreRelativeToo() {
        assertThat(Main.shown("/home/me/proxy/conf.d/b.conf:7: a duplicate default server for 0.0.0.0:80 (the first"
                + " is at /home/me/proxy/conf.d/a.conf:2); \"/home/me/proxy/x\"", CWD))
                .isEqualTo("conf.d/b.conf:7: a duplicate default server for 0.0.0.0:80 (the first is at"
                        + " conf.d/a.conf:2); \"x\"");
    }

    @Test
    void theWorkingDirectoryItselfIsADot() {
        assertThat(Main.shown("/home/me/proxy: no backend found", CWD)).isEqualTo(".: no backend found");
    }

    @Test
    void pathsOutsideTheWorkingDirectoryStayAbsolute() {
        assertThat(Main.shown("/home/me/proxy2/conf.d/a.conf:1: x; /etc/nginx/conf.d/a.conf; /home/me/a", CWD))
                .isEqualTo("/home/me/proxy2/conf.d/a.conf:1: x; /etc/nginx/conf.d/a.conf; /home/me/a");
    }

    @Test
    void aPathThatOnlyEndsLikeTheWorkingDirectoryIsLeftAlone() {
        assertThat(Main.shown("/srv/home/me/proxy/conf.d/a.conf:1: x", CWD))
                .isEqualTo("/srv/home/me/proxy/conf.d/a.conf:1: x");
    }

    @Test
    void atTheRootNothingChanges() {
        assertThat(Main.shown("/conf.d/a.conf:1: x", Path.of("/"))).isEqualTo("/conf.d/a.conf:1: x");
    }
}
