package dev.proxystage.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.engine.Cleanup;
import dev.proxystage.internal.engine.LiveRun;
import dev.proxystage.internal.tls.CaDirectories;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code down} prints. */
class DownTest {

    @Test
    void namesEveryRemovedResource() {
        Cleanup report = new Cleanup(List.of("1a2b3c4d (pid 4242 gone)"),
                List.of("nginx-rp-prep-1a2b3c4d", "vaultwarden-prep-1a2b3c4d"), List.of("nginx-rp-network-prep-1a2b3c4d"),
                List.of("vaultwarden-prep-1a2b3c4d"), List.of());
        List<CaDirectories.Removed> ca = List.of(new CaDirectories.Removed(Path.of("/tmp/proxystage-pki-7"), "prep", "1a2b3c4d", 4242));

        assertThat(Down.lines(report, ca, List.of())).containsExactly(
                "swept run 1a2b3c4d (pid 4242 gone)",
                "removed container nginx-rp-prep-1a2b3c4d",
                "removed container vaultwarden-prep-1a2b3c4d",
                "removed network nginx-rp-network-prep-1a2b3c4d",
                "removed volume vaultwarden-prep-1a2b3c4d",
                "removed CA directory /tmp/proxystage-pki-7 (run 1a2b3c4d of stage prep, pid 4242 gone)");
    }

    @Test
    void nothingToRemoveAndLiveRunsAreNamed() {
        List<LiveRun> live = List.of(
                new LiveRun("5e6f7a8b", "prep", 77, true, List.of("nginx-rp-prep-5e6f7a8b")),
                new LiveRun("9a8b7c6d", "wip", 88, false, List.of("nginx-rp-wip-9a8b7c6d")));

        assertThat(Down.lines(Cleanup.empty(), List.of(), live)).containsExactly(
                "nothing to remove",
                "left run 5e6f7a8b of stage prep alone: pid 77 is alive (an 'up'; stop it with Ctrl-C or kill 77)",
                "left run 9a8b7c6d of stage wip alone: pid 88 is alive (a test run or another JVM)");
    }
}
