package dev.proxystage.internal.docker;

import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.StageBackend;
import dev.proxystage.internal.config.BackendSpec;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A backend container of a running stage, as tests see it: one this JVM started, or one of a stage it attached to.
 * It knows its container by id ({@link ContainerLogs.Ref}, asked for when needed: an attached stage reaches its
 * engine in the background) and reads its lines through the stage's {@link StageLogs}, which masks them.
 */
final class DockerBackend implements StageBackend {

    private final BackendSpec spec;
    private final String stage;
    private final String containerName;
    private final String image;
    private final Supplier<ContainerLogs.Ref> container;
    private final Optional<String> volume;
    private final StageLogs logs;
    private final Function<Optional<String>, String> directUrl;
    private final StageFaults faults;
    private volatile String networkAddress;
    /** Its fault proxy's container name and container, once it is being started; null without one. */
    private volatile String faultProxyName;
    private volatile StageContainer faultProxy;

    /**
     * @param directUrl how this JVM reaches the backend, given its address on the stage network (see
     *                  {@link BackendReach}); fails with one line when it cannot
     * @param faults    the stage's faults, which {@link #fault} applies to it
     */
    DockerBackend(BackendSpec spec, String stage, String containerName, String image, Supplier<ContainerLogs.Ref> container,
                  Optional<String> volume, StageLogs logs, Function<Optional<String>, String> directUrl, StageFaults faults) {
        this.spec = spec;
        this.stage = stage;
        this.containerName = containerName;
        this.image = image;
        this.container = container;
        this.volume = volume;
        this.logs = logs;
        this.directUrl = directUrl;
        this.faults = faults;
    }

    /** Its container, by id. */
    ContainerLogs.Ref container() {
        return container.get();
    }

    /** Its address on the stage network, once it has started. */
    Optional<String> networkAddress() {
        return Optional.ofNullable(networkAddress);
    }

    /** It runs at {@code address} on the stage network: traces name it by that address. */
    void started(String address) {
        this.networkAddress = address;
        logs.backendAddress(address, spec.name(), spec.alias());
    }

    void faultProxyStarting(String name, StageContainer container) {
        this.faultProxyName = name;
        this.faultProxy = container;
    }

    /** The name of its fault proxy's container, when it has one (also when that failed to start). */
    Optional<String> faultProxyName() {
        return Optional.ofNullable(faultProxyName);
    }

    /** Why its fault proxy, when this JVM started one, no longer runs; empty while it runs. */
    Optional<String> faultProxyDeadReason() {
        return Optional.ofNullable(faultProxy).flatMap(proxy -> StageContainer.deadReason(proxy.ref(),
                "the fault proxy of backend '" + spec.name() + "' (" + faultProxyName + ")"));
    }

    /** Why it no longer runs, with its last lines; empty while it runs. */
    Optional<String> deadReason() {
        return StageContainer.deadReason(container(), "backend '" + spec.name() + "' (" + containerName + ")");
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
        return directUrl.apply(networkAddress());
    }

    @Override
    public Optional<String> dataVolume() {
        return volume;
    }

    @Override
    public String logs() {
        ContainerLogs.Ref ref = container();
        return logs.masked(StageContainer.logs(ref.docker(), ref.id()));
    }

    @Override
    public AutoCloseable followLogs(Consumer<String> sink) {
        return ContainerLogs.follow(container(), false, (stderr, line) -> sink.accept(logs.masked(line)));
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
