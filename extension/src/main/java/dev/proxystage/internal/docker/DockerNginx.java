package dev.proxystage.internal.docker;

import dev.proxystage.NginxErrorLog;
import dev.proxystage.StageNginx;
import dev.proxystage.internal.logs.TraceLog;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The nginx container of a running stage, as tests see it: one this JVM started, or one of a stage it attached to.
 * It knows its container by id ({@link ContainerLogs.Ref}, asked for when needed) and its error log through the
 * stage's {@link StageLogs}.
 */
final class DockerNginx implements StageNginx {

    private final String containerName;
    private final String image;
    private final Map<Integer, Integer> mappedPorts;
    private final Supplier<ContainerLogs.Ref> container;
    private final NginxErrorLog errorLog;

    DockerNginx(String containerName, String image, Supplier<ContainerLogs.Ref> container, Map<Integer, Integer> mappedPorts,
                NginxErrorLog errorLog) {
        this.containerName = containerName;
        this.image = image;
        this.mappedPorts = Collections.unmodifiableMap(new LinkedHashMap<>(mappedPorts));
        this.container = container;
        this.errorLog = errorLog;
    }

    /** Its container, by id. */
    ContainerLogs.Ref container() {
        return container.get();
    }

    /** Why it no longer runs, with its last lines; empty while it runs. */
    Optional<String> deadReason() {
        return StageContainer.deadReason(container(), "nginx (" + containerName + ")");
    }

    /** Runs {@code command} in the container; its stdout. */
    String exec(String... command) throws InterruptedException {
        return StageContainer.exec(container(), command);
    }

    @Override
    public NginxErrorLog errorLog() {
        return errorLog;
    }

    @Override
    public String containerName() {
        return containerName;
    }

    @Override
    public String image() {
        return image;
    }

    @Override
    public Map<Integer, Integer> mappedPorts() {
        return mappedPorts;
    }

    @Override
    public String logs() {
        ContainerLogs.Ref ref = container();
        return TraceLog.withoutRecords(StageContainer.logs(ref.docker(), ref.id()));
    }

    /** nginx's own lines: its error log (stderr) whole, its stdout without the trace records that also come there. */
    @Override
    public AutoCloseable followLogs(Consumer<String> sink) {
        return ContainerLogs.follow(container(), false, shown(sink));
    }

    static ContainerLogs.LineSink shown(Consumer<String> sink) {
        return (stderr, line) -> {
            if (stderr || !TraceLog.isRecord(line)) {
                sink.accept(line);
            }
        };
    }
}
