package dev.proxystage.internal.docker;

import dev.proxystage.StageBackend;
import dev.proxystage.internal.engine.StageInternals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Proves from inside one stage's nginx container that another stage's backends can be neither resolved by their
 * container names nor reached at their addresses, and that each shared alias resolves to this stage's own backend.
 */
final class IsolationProbe {

    private IsolationProbe() {
    }

    /**
     * @param self    the stage whose nginx probes
     * @param nginx   runs a shell script in {@code self}'s nginx container and returns its stdout
     * @param other   the stage that must be unreachable
     */
    static void assertIsolated(StageInternals self, UnaryOperator<String> nginx, StageInternals other) {
        if (other == self) {
            throw new IllegalArgumentException("a stage cannot be isolated from itself: " + self);
        }
        String nginxName = self.nginx().containerName();
        List<String> leaks = new ArrayList<>();
        for (StageBackend theirs : other.backends()) {
            String address = other.backendAddress(theirs.name()).orElse(null);
            // Within one host, a reachable address answers in well under a second; a blocked one never does.
            String probe = "if getent hosts " + theirs.containerName() + " >/dev/null; then echo RESOLVED; fi; "
                    + (address == null ? "" : "if command -v bash >/dev/null; then "
                    + "timeout 1 bash -c 'exec 3<>/dev/tcp/" + address + "/" + theirs.port() + "' 2>/dev/null && echo REACHED; "
                    + "else echo NO_BASH; fi; ")
                    + "getent hosts " + theirs.alias() + " | cut -d' ' -f1";
            String out = nginx.apply(probe);
            if (out.contains("RESOLVED")) {
                leaks.add(nginxName + " resolves " + theirs.containerName() + " of stage " + other.name());
            }
            if (out.contains("REACHED")) {
                leaks.add(nginxName + " reaches " + theirs.name() + "@" + other.name() + " at " + address + ":" + theirs.port());
            }
            if (out.contains("NO_BASH")) {
                leaks.add("cannot probe reachability: the nginx image " + self.nginx().image() + " has no bash");
            }
            if (address != null && out.lines().anyMatch(line -> line.strip().equals(address))) {
                leaks.add("alias '" + theirs.alias() + "' resolves to " + theirs.name() + "@" + other.name() + " (" + address + ")");
            }
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("stage " + self.name() + " is not isolated from stage " + other.name() + ":\n  "
                    + String.join("\n  ", leaks));
        }
    }
}
