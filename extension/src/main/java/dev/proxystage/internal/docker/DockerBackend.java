package dev.proxystage.internal.docker;

import dev.proxystage.StageBackend;
import dev.proxystage.internal.config.BackendSpec;
import java.util.Optional;
import java.util.function.Consumer;

/** A backend container of a running stage, as tests see it. */
final class DockerBackend implements StageBackend {

    private final BackendSpec spec;
    private final String stage;
    private final String image;
    private final String containerName;
    private final StageContainer container;
    private final Optional<String> volume;
    private final StageLogs logs;
    private final BackendReach reach;
    private volatile String networkAddress;

    DockerBackend(BackendSpec spec, String stage, String image, StageContainer container,
                  Optional<String> volume, StageLogs logs, BackendReach reach) {
        this.spec = spec;
        this.stage = stage;
        this.image = image;
        this.containerName = container.name();
        this.container = container;
        this.volume = volume;
        this.logs = logs;
        this.reach = reach;
    }

    StageContainer container() {
        return container;
    }

    /** Its address on the stage network, once it has started. */
    Optional<String> networkAddress() {
        return Optional.ofNullable(networkAddress);
    }

    void started(String address) {
        this.networkAddress = address;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String alias() {
        return spec.alias();
    }

    @Override
    public String stage() {
        return stage;
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
    public int port() {
        return spec.port();
    }

    @Override
    public String directUrl() {
        return reach.directUrl(container::mappedPort, spec.port(), networkAddress);
    }

    @Override
    public Optional<String> dataVolume() {
        return volume;
    }

    @Override
    public String logs() {
        return logs.masked(container.logs());
    }

    @Override
    public AutoCloseable followLogs(Consumer<String> sink) {
        return ContainerLogs.follow(container.ref(), false, (stderr, line) -> sink.accept(logs.masked(line)));
    }

    @Override
    public String toString() {
        return spec.name() + "@" + stage + " (" + containerName + ")";
    }
}
