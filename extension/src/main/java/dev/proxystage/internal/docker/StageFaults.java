package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.HostConfig;
import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;

/**
 * The faults of one running stage, applied through the engine. Everything is found by the labels of the stage's run
 * at the moment a fault is applied or healed (the backend, the fault proxy that holds its alias, the placeholders of
 * moved addresses, nginx), so a stage's own JVM, a JVM attached to an {@code up} and the command line act alike, and
 * a heal finds what another process left.
 *
 * <ul>
 *   <li>down, slow, slowChunks, throttle, reset, resetAfter, flaky: a command to the fault proxy's control port,
 *       published on the engine's publish host; the proxy logs each change on its stdout;</li>
 *   <li>hang: the engine pauses the container that holds the alias (the proxy, or the backend without one);</li>
 *   <li>restartWithNewAddress: that container leaves the stage network and joins it again under its aliases. Docker
 *       hands out the lowest free address, which would be the same one, so a placeholder container takes the old
 *       address first (and refuses connections on it, as a host that restarted elsewhere does). Healing removes the
 *       placeholder and reloads nginx, which resolves every name again.</li>
 * </ul>
 */
public final class StageFaults {

    static final String ROLE_FAULT_PROXY = "fault-proxy";
    static final String ROLE_PLACEHOLDER = "placeholder";
    private static final int CONTROL_TIMEOUT_MILLIS = 10_000;
    /**
     * Placeholders a restart may start: the holes in the network's addresses below the old one, which Docker fills
     * first, and the old one. Each restart healed leaves a hole, so a class that restarts often needs a few.
     */
    private static final int MAX_PLACEHOLDERS = 32;

    /** Told where a container holding a backend's alias moved, and when nginx was reloaded. */
    public interface Moves {

        /** Its new address, and whether the container is the backend itself (not its fault proxy). */
        void moved(String backend, String alias, String address, boolean backendItself);

        /**
         * nginx was reloaded: its old workers closed their idle client connections, which a client's pool must not
         * hand out again.
         */
        default void nginxReloaded() {
        }
    }

    private final Supplier<DockerClient> docker;
    private final String publishedHost;
    private final String runId;
    private final String stage;
    private final Consumer<String> lines;
    private final Moves moves;
    private final List<Applied> active = new CopyOnWriteArrayList<>();

    /**
     * @param docker        the engine, asked for when a fault is applied or healed
     * @param publishedHost where the engine publishes ports (the fault proxies' control ports among them)
     * @param lines         where a line about each fault the engine applies (hang, restart) and heals goes
     * @param moves         told of every address a restart gives
     */
    public StageFaults(Supplier<DockerClient> docker, String publishedHost, String runId, String stage, Consumer<String> lines,
                       Moves moves) {
        this.docker = docker;
        this.publishedHost = publishedHost;
        this.runId = runId;
        this.stage = stage;
        this.lines = lines;
        this.moves = moves;
    }

    /** Breaks backend {@code backend} with {@code fault}; one line naming what is missing when it cannot. */
    public ActiveFault apply(String backend, Fault fault) {
        Target target = target(backend);
        if (fault.needsFaultProxy() && target.proxy().isEmpty()) {
            throw new ProxyStageException("backend '" + backend + "' of stage " + stage + " has no fault proxy in its path,"
                    + " which fault '" + fault + "' needs: add 'faults: true' to backends." + backend + " in pipeline.yml"
                    + " (or set -D" + Settings.FAULTS + "=true for every backend)");
        }
        Runnable heal = switch (fault.kind()) {
            case "hang" -> hang(target);
            case "restartWithNewAddress" -> restart(target);
            default -> proxyFault(target, fault);
        };
        Applied applied = new Applied(fault, backend, heal);
        active.add(applied);
        return applied;
    }

    /** Heals what was applied through this object and is still in force, newest first; one line per failure. */
    public void healAll() {
        List<String> failures = new ArrayList<>();
        List<Applied> inForce = new ArrayList<>(active);
        Collections.reverse(inForce);
        for (Applied fault : inForce) {
            try {
                fault.close();
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new ProxyStageException("stage " + stage + ": could not heal every fault: " + String.join("; ", failures));
        }
    }

    /** Whether a fault applied through this object is still in force. */
    public boolean anyActive() {
        return !active.isEmpty();
    }

    /**
     * Heals whatever is in force on {@code backend} (every backend when empty), whoever applied it, as found on the
     * engine: paused containers resumed, the fault proxy healed, placeholders removed (then nginx reloaded). One line
     * per thing healed.
     */
    public List<String> healEverything(Optional<String> backend) {
        List<String> healed = new ArrayList<>();
        List<Container> all = containers();
        List<String> backends = backend.map(List::of).orElseGet(() -> all.stream()
                .filter(c -> "backend".equals(label(c, Labels.ROLE))).map(c -> label(c, Labels.BACKEND)).distinct().toList());
        boolean moved = false;
        for (String name : backends) {
            Target target = target(name, all);
            for (Container holder : target.holders()) {
                if (isPaused(holder)) {
                    unpause(holder.getId());
                    healed.add(name + ": hang healed (" + name(holder) + " resumed)");
                }
            }
            if (target.proxy().isPresent()) {
                String answer = control(target.proxy().get(), "POST", "/heal", "").strip();
                if (!answer.equals("nothing to heal")) {
                    answer.lines().forEach(line -> healed.add(name + ": " + line.replaceFirst("^\\S+Z ", "")));
                }
            }
            for (Container placeholder : target.placeholders()) {
                remove(placeholder.getId());
                moved = true;
            }
            if (!target.placeholders().isEmpty()) {
                healed.add(name + ": restartWithNewAddress healed (placeholder of its old address removed)");
            }
        }
        active.forEach(Applied::forget);
        active.clear();
        if (moved) {
            reloadNginx(nginx(all));
            healed.add("nginx reloaded: it resolves every backend's name again");
        }
        return healed;
    }

    // ------------------------------------------------------------------------------------------------ the faults

    private Runnable proxyFault(Target target, Fault fault) {
        Container proxy = target.proxy().orElseThrow();
        String kind = switch (fault.kind()) {
            case "slowChunks" -> "slow-chunks";
            case "resetAfter" -> "reset";
            default -> fault.kind();
        };
        String body = "kind=" + kind + switch (fault.kind()) {
            case "slow", "slowChunks" -> "&ms=" + Math.max(1, fault.duration().orElseThrow().toMillis());
            case "throttle" -> "&bytesPerSecond=" + fault.bytes().orElseThrow();
            case "resetAfter" -> "&after=" + fault.bytes().orElseThrow();
            case "flaky" -> "&fraction=" + fault.fraction().orElseThrow();
            default -> "";
        };
        String started = control(proxy, "POST", "/fault", body).strip();
        lines.accept(stage + ": backend " + target.backend() + ": " + started.replaceFirst("^\\S+Z ", ""));
        return () -> {
            String healed = control(proxy, "POST", "/heal", "kind=" + kind).strip();
            if (!healed.equals("nothing to heal")) {
                lines.accept(stage + ": backend " + target.backend() + ": " + healed.replaceFirst("^\\S+Z ", ""));
            }
        };
    }

    private Runnable hang(Target target) {
        Container holder = target.holder();
        if (!isPaused(holder)) {
            try {
                docker.get().pauseContainerCmd(holder.getId()).exec();
            } catch (DockerException e) {
                throw new ProxyStageException("cannot pause " + name(holder) + " (backend '" + target.backend() + "' of stage "
                        + stage + "): " + oneLine(e));
            }
        }
        lines.accept(stage + ": backend " + target.backend() + ": fault hang started (" + name(holder)
                + " paused: connections are accepted, nothing is answered)");
        return () -> {
            unpause(holder.getId());
            lines.accept(stage + ": backend " + target.backend() + ": fault hang healed (" + name(holder) + " resumed)");
        };
    }

    private Runnable restart(Target target) {
        DockerClient engine = docker.get();
        Container holder = target.holder();
        String holderName = name(holder);
        String network = target.network();
        ContainerNetwork endpoint = endpoint(holder.getId(), network)
                .orElseThrow(() -> new ProxyStageException(holderName + " is not on the stage network " + network));
        String old = endpoint.getIpAddress();
        List<String> aliases = endpoint.getAliases() == null ? List.of() : endpoint.getAliases().stream()
                .filter(alias -> !holder.getId().startsWith(alias)).toList();
        List<String> placeholders = new ArrayList<>();
        String now;
        engine.disconnectFromNetworkCmd().withNetworkId(network).withContainerId(holder.getId()).exec();
        try {
            // Docker gives the lowest free address. Placeholders fill the holes below the old address until one holds
            // it; only then may the holder rejoin, or it would take a hole and leave its old address unanswered
            // (nginx would time out connecting to it, instead of being refused).
            boolean held = false;
            while (!held) {
                if (placeholders.size() == MAX_PLACEHOLDERS) {
                    throw new ProxyStageException("Docker did not give the old address " + old + " of " + holderName
                            + " on " + network + " to any of " + MAX_PLACEHOLDERS
                            + " placeholders; restartWithNewAddress cannot move it");
                }
                String placeholder = startPlaceholder(target, network, placeholders.size());
                placeholders.add(placeholder);
                held = endpoint(placeholder, network).map(ContainerNetwork::getIpAddress).filter(old::equals).isPresent();
            }
            engine.connectToNetworkCmd().withNetworkId(network).withContainerId(holder.getId())
                    .withContainerNetwork(new ContainerNetwork().withAliases(aliases)).exec();
            now = endpoint(holder.getId(), network).map(ContainerNetwork::getIpAddress).orElse(old);
        } catch (RuntimeException e) {
            if (endpoint(holder.getId(), network).isEmpty()) {
                try {
                    engine.connectToNetworkCmd().withNetworkId(network).withContainerId(holder.getId())
                            .withContainerNetwork(new ContainerNetwork().withAliases(aliases)).exec();
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            placeholders.forEach(this::remove);
            throw e instanceof ProxyStageException known ? known
                    : new ProxyStageException("cannot move " + holderName + " to a new address: " + oneLine(e));
        }
        // Only the placeholder on the old address stays: the ones that filled holes below it go.
        List<String> kept = new ArrayList<>();
        for (String placeholder : placeholders) {
            if (endpoint(placeholder, network).map(ContainerNetwork::getIpAddress).filter(old::equals).isPresent()) {
                kept.add(placeholder);
            } else {
                remove(placeholder);
            }
        }
        String moved = now;
        moves.moved(target.backend(), target.alias(), moved, target.proxy().isEmpty());
        lines.accept(stage + ": backend " + target.backend() + ": fault restartWithNewAddress started (" + holderName
                + " left the stage network and came back as " + target.alias() + " at " + now + ", was " + old
                + (kept.isEmpty() ? "" : "; a placeholder refuses connections on " + old) + ")");
        return () -> {
            kept.forEach(this::remove);
            reloadNginx(nginx(containers()));
            lines.accept(stage + ": backend " + target.backend() + ": fault restartWithNewAddress healed (nginx reloaded,"
                    + " so it resolves " + target.alias() + " again, to " + moved + ")");
        };
    }

    private String startPlaceholder(Target target, String network, int index) {
        DockerClient engine = docker.get();
        Container nginx = target.nginx();
        Map<String, String> labels = new LinkedHashMap<>();
        for (String key : List.of(Labels.RUN, Labels.STAGE, Labels.PID, Labels.HOST)) {
            String value = label(nginx, key);
            if (value != null) {
                labels.put(key, value);
            }
        }
        labels.put(Labels.ROLE, ROLE_PLACEHOLDER);
        labels.put(Labels.BACKEND, target.backend());
        String name = target.backend() + "-" + stage + "-" + runId + "-old-address" + (index == 0 ? "" : "-" + index);
        // nginx's image is on the engine whatever the backends run, and has sleep.
        CreateContainerResponse created = engine.createContainerCmd(nginx.getImage()).withName(name).withLabels(labels)
                .withEntrypoint("sleep").withCmd("infinity")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network)).exec();
        try {
            engine.startContainerCmd(created.getId()).exec();
        } catch (RuntimeException e) {
            remove(created.getId());
            throw e;
        }
        return created.getId();
    }

    /** A graceful reload (SIGHUP to the master), done once nginx has workers on it and the old ones stop accepting. */
    private void reloadNginx(Container nginx) {
        DockerClient engine = docker.get();
        String script = "workers() { grep -lxz 'nginx: worker process' /proc/[0-9]*/cmdline 2>/dev/null; }\n"
                + "old=\" $(echo $(workers)) \"\n"
                + "set -- $(grep -lz '^nginx: master process' /proc/[0-9]*/cmdline 2>/dev/null)\n"
                + "if [ $# -eq 1 ]; then m=${1#/proc/}; kill -HUP \"${m%/cmdline}\" || exit 3; else nginx -s reload || exit 3; fi\n"
                + "i=0; j=0\n"
                + "while [ $i -lt 1000 ]; do\n"
                + "  fresh=''; left=''\n"
                + "  for p in $(workers); do case \"$old\" in *\" $p \"*) left=\"$left $p\";; *) fresh=1;; esac; done\n"
                + "  if [ -n \"$fresh\" ]; then\n"
                // Done once no old worker accepts any more (its title then says it is shutting down): one that has
                // not yet handled its SIGQUIT, as on a loaded machine, would take the next connection and send it
                // to the address it resolved at start.
                + "    [ -z \"$left\" ] || [ $j -ge 500 ] && exit 0\n"
                + "    [ $j -eq 0 ] && for p in $left; do q=${p#/proc/}; kill -QUIT \"${q%/cmdline}\" 2>/dev/null; done\n"
                + "    j=$((j+1))\n"
                + "  else\n"
                + "    i=$((i+1))\n"
                + "  fi\n"
                + "  sleep 0.01\n"
                + "done\n"
                + "echo 'nginx started no worker within 10 s of the reload' >&2; exit 3\n";
        String exec = engine.execCreateCmd(nginx.getId()).withCmd("sh", "-c", script).withAttachStdout(true)
                .withAttachStderr(true).exec().getId();
        ToStringConsumer err = new ToStringConsumer();
        FrameConsumerResultCallback callback = new FrameConsumerResultCallback();
        callback.addConsumer(OutputFrame.OutputType.STDERR, err);
        try {
            engine.execStartCmd(exec).exec(callback).awaitCompletion(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxyStageException("interrupted while reloading " + name(nginx));
        }
        Long exit = engine.inspectExecCmd(exec).exec().getExitCodeLong();
        if (exit == null || exit != 0) {
            throw new ProxyStageException("cannot reload " + name(nginx) + " to resolve the moved backend again: "
                    + err.toUtf8String().strip() + " (exit " + exit + ")");
        }
        moves.nginxReloaded();
    }

    // ------------------------------------------------------------------------------------------------ the engine

    /**
     * A backend as the engine holds it now.
     *
     * @param proxy        its fault proxy, which holds the alias, if it has one
     * @param placeholders containers holding addresses it had before a restart
     */
    private record Target(String backend, String alias, Container origin, Optional<Container> proxy,
                          List<Container> placeholders, Container nginx, String network) {

        /** The container that holds the backend's alias. */
        Container holder() {
            return proxy.orElse(origin);
        }

        List<Container> holders() {
            return proxy.map(p -> List.of(p, origin)).orElse(List.of(origin));
        }
    }

    private Target target(String backend) {
        return target(backend, containers());
    }

    private Target target(String backend, List<Container> all) {
        Container origin = all.stream()
                .filter(c -> "backend".equals(label(c, Labels.ROLE)) && backend.equals(label(c, Labels.BACKEND)))
                .findFirst().orElseThrow(() -> new ProxyStageException("stage " + stage + " (run " + runId + ") has no backend '"
                        + backend + "' (it has: " + String.join(", ", all.stream().filter(c -> "backend".equals(label(c, Labels.ROLE)))
                        .map(c -> label(c, Labels.BACKEND)).sorted().toList()) + ")"));
        Optional<Container> proxy = all.stream()
                .filter(c -> ROLE_FAULT_PROXY.equals(label(c, Labels.ROLE)) && backend.equals(label(c, Labels.BACKEND)))
                .findFirst();
        List<Container> placeholders = all.stream()
                .filter(c -> ROLE_PLACEHOLDER.equals(label(c, Labels.ROLE)) && backend.equals(label(c, Labels.BACKEND)))
                .toList();
        Container nginx = nginx(all);
        String network = Optional.ofNullable(nginx.getNetworkSettings()).map(s -> s.getNetworks().keySet().stream()
                        .filter(n -> n.startsWith("nginx-rp-network-")).findFirst().orElse(null))
                .orElseThrow(() -> new ProxyStageException("stage " + stage + " (run " + runId + "): its nginx is on no stage network"));
        // Every backend container carries its shared alias in its environment.
        String[] env = docker.get().inspectContainerCmd(origin.getId()).exec().getConfig().getEnv();
        String alias = Arrays.stream(env == null ? new String[0] : env).filter(e -> e.startsWith("PROXYSTAGE_ALIAS="))
                .map(e -> e.substring("PROXYSTAGE_ALIAS=".length())).findFirst().orElse(backend);
        return new Target(backend, alias, origin, proxy, placeholders, nginx, network);
    }

    private Container nginx(List<Container> all) {
        return all.stream().filter(c -> "nginx".equals(label(c, Labels.ROLE))).findFirst()
                .orElseThrow(() -> new ProxyStageException("stage " + stage + " (run " + runId + ") has no nginx running"));
    }

    private List<Container> containers() {
        List<Container> all = docker.get().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.RUN, runId)).exec();
        return all == null ? List.of() : all;
    }

    private Optional<ContainerNetwork> endpoint(String container, String network) {
        InspectContainerResponse info = docker.get().inspectContainerCmd(container).exec();
        return Optional.ofNullable(info.getNetworkSettings().getNetworks().get(network))
                .filter(n -> n.getIpAddress() != null && !n.getIpAddress().isEmpty());
    }

    private boolean isPaused(Container container) {
        return Boolean.TRUE.equals(docker.get().inspectContainerCmd(container.getId()).exec().getState().getPaused());
    }

    private void unpause(String container) {
        try {
            if (Boolean.TRUE.equals(docker.get().inspectContainerCmd(container).exec().getState().getPaused())) {
                docker.get().unpauseContainerCmd(container).exec();
            }
        } catch (NotFoundException gone) {
            // removed meanwhile: nothing left to heal
        }
    }

    private void remove(String container) {
        try {
            docker.get().removeContainerCmd(container).withForce(true).exec();
        } catch (NotFoundException gone) {
            // removed meanwhile
        }
    }

    private static String label(Container container, String key) {
        return container.getLabels() == null ? null : container.getLabels().get(key);
    }

    private static String name(Container container) {
        String[] names = container.getNames();
        return names == null || names.length == 0 ? container.getId() : names[0].replaceFirst("^/", "");
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    // ------------------------------------------------------------------------------------------------ control port

    /** One command to the fault proxy's control port, published on the engine's publish host; its answer's body. */
    private String control(Container proxy, String method, String path, String body) {
        int port = Arrays.stream(proxy.getPorts() == null ? new ContainerPort[0] : proxy.getPorts())
                .filter(p -> p.getPublicPort() != null && p.getPublicPort() > 0).map(ContainerPort::getPublicPort)
                .findFirst().orElseThrow(() -> new ProxyStageException(name(proxy) + " publishes no control port"));
        String host = publishedHost;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONTROL_TIMEOUT_MILLIS);
            socket.setSoTimeout(CONTROL_TIMEOUT_MILLIS);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String response = read(socket.getInputStream());
            int headEnd = response.indexOf("\r\n\r\n");
            String statusLine = response.substring(0, Math.max(0, response.indexOf("\r\n")));
            String answer = headEnd < 0 ? "" : response.substring(headEnd + 4);
            if (!statusLine.matches("HTTP/1\\.[01] 200 .*")) {
                throw new ProxyStageException("the fault proxy of backend '" + label(proxy, Labels.BACKEND) + "' of stage "
                        + stage + " refused " + method + " " + path + " (" + body + "): " + answer.strip());
            }
            return answer;
        } catch (IOException e) {
            throw new ProxyStageException("cannot reach the fault proxy of backend '" + label(proxy, Labels.BACKEND)
                    + "' of stage " + stage + " at " + host + ":" + port + ": " + e.getMessage());
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A fault in force; closing it heals it once. */
    private final class Applied implements ActiveFault {

        private final Fault fault;
        private final String backend;
        private final Runnable heal;
        private final AtomicBoolean inForce = new AtomicBoolean(true);

        Applied(Fault fault, String backend, Runnable heal) {
            this.fault = fault;
            this.backend = backend;
            this.heal = heal;
        }

        @Override
        public Fault fault() {
            return fault;
        }

        @Override
        public String backend() {
            return backend;
        }

        @Override
        public boolean isActive() {
            return inForce.get();
        }

        /** Healed by other means (a full heal): nothing left to do. */
        void forget() {
            inForce.set(false);
        }

        @Override
        public void close() {
            if (inForce.compareAndSet(true, false)) {
                active.remove(this);
                heal.run();
            }
        }

        @Override
        public String toString() {
            return fault + " on " + backend + "@" + stage + (isActive() ? "" : " (healed)");
        }
    }

    @Override
    public String toString() {
        return "faults of stage " + stage + " (run " + runId + ")" + (active.isEmpty() ? ""
                : ": " + String.join(", ", active.stream().map(Object::toString).toList()));
    }
}
