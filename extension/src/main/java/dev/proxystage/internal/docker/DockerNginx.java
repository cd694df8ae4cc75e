package dev.proxystage.internal.docker;

import dev.proxystage.internal.logs.TraceLog;
import dev.proxystage.NginxErrorLog;
import dev.proxystage.StageNginx;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** The nginx container of a running stage, as tests see it. */
final class DockerNginx implements StageNginx {

    private final String containerName;
    private final String image;
    private final Map<Integer, Integer> mappedPorts;
    private final StageContainer container;
    private final NginxErrorLog errorLog;

    DockerNginx(StageContainer container, Map<Integer, Integer> mappedPorts, NginxErrorLog errorLog) {
        this.containerName = container.name();
        this.image = container.image();
        this.mappedPorts = Collections.unmodifiableMap(new LinkedHashMap<>(mappedPorts));
        this.container = container;
        this.errorLog = errorLog;
    }

    StageContainer container() {
        return container;
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
        return TraceLog.withoutRecords(container.logs());
    }

    @Override
    public AutoCloseable followLogs(Consumer<String> sink) {
        return ContainerLogs.follow(container.ref(), false, (stderr, line) -> {
            if (stderr || !TraceLog.isRecord(line)) {
                sink.accept(line);
            }
        });
    }
}
