package dev.proxystage;

import java.util.Optional;
import java.util.function.Consumer;

/** One backend container of a running stage. */
public interface StageBackend {

    /** The backend's name in pipeline.yml, e.g. {@code vaultwarden}. */
    String name();

    /** The host name it has on the stage's network, the same in every stage. */
    String alias();

    /** The stage it belongs to. */
    String stage();

    /** Its container's name, {@code <name>-<stage>-<run id>}. */
    String containerName();

    /** The image it runs. */
    String image();

    /** The port it serves inside the network. */
    int port();

    /**
     * Direct access for debugging, bypassing nginx: {@code http://<its address on the stage network>:<port>} when
     * this host reaches the stage network (a local engine on Linux), else {@code http://<engine host>:<published port>}.
     */
    String directUrl();

    /** Where the backend keeps its data, if it does: its volume, or the host directory when the data persists. */
    Optional<String> dataVolume();

    /** Its log (stdout and stderr) so far. */
    String logs();

    /**
     * Streams the container's log lines (stdout and stderr) to {@code sink} as they are written, starting with what
     * it already logged, until the returned handle is closed or the container stops.
     */
    AutoCloseable followLogs(Consumer<String> sink);

    /**
     * Breaks this backend until the returned fault is closed (or the test ends): {@code fault(Fault.hang())}. A fault
     * that needs the fault proxy, on a backend without it in its path, fails with one line that says how to add it.
     */
    ActiveFault fault(Fault fault);
}
