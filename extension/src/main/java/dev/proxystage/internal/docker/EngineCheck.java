package dev.proxystage.internal.docker;

import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.VersionComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What ProxyStage needs of an engine beyond answering Docker's API, checked once when it connects, from the engine's
 * version answer alone (no container is run). Podman 4's Docker-compatible service answers every call ProxyStage makes,
 * but two of its answers differ in ways a test would not see: container log timestamps are whole seconds (Docker's
 * have nanoseconds), so the lines a test caused cannot be told from those just before it (a {@code hasNoNginxErrors}
 * would pass on an error it should have seen), and its networks are not kept apart (one stage's nginx reaches another
 * stage's backends). Such an engine is refused in one line that says so.
 */
final class EngineCheck {

    /** {@code -Dproxystage.engineCheck=off} lets a refused engine run stages anyway, with what is said above. */
    static final String PROPERTY = "proxystage.engineCheck";

    /** The component name Podman's service gives itself in its version answer. */
    static final String PODMAN = "Podman Engine";

    private EngineCheck() {
    }

    /** The engine's components by name and version, as its version answer lists them (Docker 20.10+ and Podman). */
    static Map<String, String> components(Version version) {
        List<VersionComponent> components = version == null ? null : version.getComponents();
        LinkedHashMap<String, String> named = new LinkedHashMap<>();
        if (components != null) {
            for (VersionComponent c : components) {
                if (c != null && c.getName() != null) {
                    named.put(c.getName(), c.getVersion() == null ? "" : c.getVersion());
                }
            }
        }
        return named;
    }

    /** Why the engine at {@code address} cannot run stages, in one line; empty when nothing is known against it. */
    static Optional<String> refusal(String address, Map<String, String> components) {
        String podman = components.get(PODMAN);
        if (podman == null || major(podman) >= 5) {
            // Podman 5 and later were not tried: let them run, their own tests will tell.
            return Optional.empty();
        }
        return Optional.of("the engine at " + address + " is Podman " + podman + ", whose Docker-compatible API lacks two"
                + " things stages need: container log timestamps finer than a second (to tell a test's own nginx log lines,"
                + " e.g. for hasNoNginxErrors) and networks kept apart from each other (to isolate stages); use a Docker"
                + " engine (DOCKER_HOST), or -D" + PROPERTY + "=off to run anyway");
    }

    /** The major version of {@code 4.3.1}, {@code 4.9.4-rhel}, …; 0 when it does not start with one. */
    static int major(String version) {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        try {
            return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
