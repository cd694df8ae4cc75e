package dev.proxystage;

import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

/** The nginx container of a running stage. */
public interface StageNginx {

    /** Its container's name, {@code nginx-rp-<stage>-<run id>}. */
    String containerName();

    /** The image it runs. */
    String image();

    /** Container port to its published port (on the published host), for every port the conf.d listens on. */
    Map<Integer, Integer> mappedPorts();

    /** The host port that {@code containerPort} is mapped to, if nginx listens on it. */
    default OptionalInt mappedPort(int containerPort) {
        Integer mapped = mappedPorts().get(containerPort);
        return mapped == null ? OptionalInt.empty() : OptionalInt.of(mapped);
    }

    /** Its error log, for assertions on what nginx complained about. */
    NginxErrorLog errorLog();

    /** Its log (access log on stdout, error log on stderr) so far. */
    String logs();

    /**
     * Streams the container's log lines (stdout and stderr) to {@code sink} as they are written, starting with what
     * it already logged, until the returned handle is closed or the container stops.
     */
    AutoCloseable followLogs(Consumer<String> sink);
}
