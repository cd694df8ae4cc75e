package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import dev.proxystage.ProxyStageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.images.builder.Transferable;

/**
 * One container of a stage, made with the engine's client: created under its name, filled with its files, started,
 * and waited for by a {@link PollingWait}. After the start it is known by its id, and everything else (logs, exec,
 * state) asks the engine by that id.
 */
final class StageContainer {

    private final DockerClient docker;
    private final String name;
    private final String image;
    private final List<byte[]> archives = new ArrayList<>();
    private final List<Consumer<CreateContainerCmd>> setup = new ArrayList<>();
    private volatile String id;
    private volatile InspectContainerResponse started;

    StageContainer(DockerClient docker, String name, String image) {
        this.docker = docker;
        this.name = name;
        this.image = image;
    }

    /** Shapes the create command (labels, network, ports, mounts, command). */
    StageContainer configure(Consumer<CreateContainerCmd> step) {
        setup.add(step);
        return this;
    }

    /** {@code files} are unpacked at {@code /} before the container starts: one round trip for all of them. */
    StageContainer copy(Transferable files) {
        archives.add(tar(files));
        return this;
    }

    /** Publishes {@code ports} on {@code address} only. */
    StageContainer publish(java.util.Set<Integer> ports, String address) {
        Ports bindings = new Ports();
        ports.forEach(port -> bindings.bind(ExposedPort.tcp(port), Ports.Binding.bindIp(address)));
        return configure(cmd -> {
            cmd.withExposedPorts(ports.stream().map(ExposedPort::tcp).toList());
            hostConfig(cmd).withPortBindings(bindings);
        });
    }

    static HostConfig hostConfig(CreateContainerCmd cmd) {
        if (cmd.getHostConfig() == null) {
            cmd.withHostConfig(HostConfig.newHostConfig());
        }
        return cmd.getHostConfig();
    }

    /**
     * Creates, fills and starts the container, then waits until {@code wait} says it is ready. A failure names the
     * container's exit code and last log lines when it has stopped.
     */
    void start(PollingWait wait, Duration timeout) {
        CreateContainerCmd create = docker.createContainerCmd(image).withName(name);
        setup.forEach(step -> step.accept(create));
        if (hostConfig(create).getPortBindings() == null) {
            // Published nothing: said so explicitly, as the engine shows other containers' bindings.
            hostConfig(create).withPortBindings(new Ports());
        }
        id = create.exec().getId();
        archives.forEach(archive -> docker.copyArchiveToContainerCmd(id).withRemotePath("/")
                .withTarInputStream(new ByteArrayInputStream(archive)).exec());
        docker.startContainerCmd(id).exec();
        started = docker.inspectContainerCmd(id).exec();
        wait.waitUntilReady(this, timeout);
    }

    String name() {
        return name;
    }

    String image() {
        return image;
    }

    /** The id, once created. */
    Optional<String> id() {
        return Optional.ofNullable(id);
    }

    DockerClient docker() {
        return docker;
    }

    ContainerLogs.Ref ref() {
        return new ContainerLogs.Ref(docker, id);
    }

    /** The engine's view right after the start. */
    InspectContainerResponse startedInfo() {
        return started;
    }

    /** The engine's view now. */
    InspectContainerResponse.ContainerState state() {
        return docker.inspectContainerCmd(id).exec().getState();
    }

    /** The host port {@code port} is published on. */
    int mappedPort(int port) {
        Ports.Binding[] bindings = started.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(port));
        if (bindings == null || bindings.length == 0) {
            throw new IllegalStateException(name + " does not publish port " + port);
        }
        return Integer.parseInt(bindings[0].getHostPortSpec());
    }

    /** Its address on {@code network}, when it is on it. */
    Optional<String> addressOn(String network) {
        var networks = started.getNetworkSettings().getNetworks();
        return Optional.ofNullable(networks.get(network)).map(n -> n.getIpAddress()).filter(a -> !a.isBlank());
    }

    /** Every line it logged so far, stdout and stderr as they came. */
    String logs() {
        return logs(docker, id);
    }

    static String logs(DockerClient docker, String id) {
        StringBuilder text = new StringBuilder();
        try {
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (text) {
                        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }
            }).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NotFoundException gone) {
            // removed: nothing more to read
        }
        synchronized (text) {
            return text.toString();
        }
    }

    /** Runs {@code command} in the container; its stdout. */
    String exec(String... command) throws InterruptedException {
        String exec = docker.execCreateCmd(id).withAttachStdout(true).withAttachStderr(true).withCmd(command).exec().getId();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> output = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (frame.getStreamType() == StreamType.STDOUT || frame.getStreamType() == StreamType.RAW) {
                    synchronized (stdout) {
                        stdout.writeBytes(frame.getPayload());
                    }
                }
            }
        };
        docker.execStartCmd(exec).exec(output).awaitCompletion(60, TimeUnit.SECONDS);
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@code files} as a tar archive rooted at {@code /}. */
    static byte[] tar(Transferable files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            files.transferTo(tar, "/");
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot archive the files for a container: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Environment as Docker takes it. */
    static List<String> env(Map<String, String> variables) {
        return variables.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * Starts {@code container}; a failure that is not already one of ProxyStage's own lines names its exit code and
     * last lines when it has stopped.
     */
    static void startExplained(StageContainer container, PollingWait wait, Duration timeout, String subject, String readiness) {
        try {
            container.start(wait, timeout);
        } catch (RuntimeException e) {
            ProxyStageException known = StartFailures.firstKnown(e);
            if (known != null) {
                throw known;
            }
            if (container.id != null) {
                try {
                    var state = container.state();
                    if (!Boolean.TRUE.equals(state.getRunning())) {
                        throw new ProxyStageException(subject + " exited with code " + state.getExitCodeLong()
                                + " before " + readiness + PollingWait.formatTail(subject, container.logs()));
                    }
                } catch (NotFoundException gone) {
                    // removed already: nothing more to tell than the original failure
                }
            }
            throw e;
        }
    }
}
