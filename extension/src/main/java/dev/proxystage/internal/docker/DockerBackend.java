package dev.proxystage.internal.docker;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
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
    private final StageFaults faults;
    private volatile String networkAddress;
    /** Its fault proxy's container name and container, once it is being started; null without one. */
    private volatile String faultProxyName;
    private volatile StageContainer faultProxy;

    DockerBackend(BackendSpec spec, String stage, String image, StageContainer container,
                  Optional<String> volume, StageLogs logs, BackendReach reach, StageFaults faults) {
        this.faults = faults;
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

    void faultProxyStarting(String name, StageContainer container) {
        this.faultProxyName = name;
        this.faultProxy = container;
    }

    /** The name of its fault proxy's container, when it has one (also when that failed to start). */
    Optional<String> faultProxyName() {
        return Optional.ofNullable(faultProxyName);
    }

    Optional<StageContainer> faultProxy() {
        return Optional.ofNullable(faultProxy);
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
    public ActiveFault fault(Fault fault) {
        return faults.apply(spec.name(), fault);
    }

    @Override
    public String toString() {
        return spec.name() + "@" + stage + " (" + containerName + ")";
    }
}
