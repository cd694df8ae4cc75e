package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.DataSpec;
import dev.proxystage.internal.config.StageDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import dev.proxystage.ProxyStageException;
import org.testcontainers.utility.MountableFile;

/**
 * Starts a stage's backends in parallel under their shared aliases, each with its data (a fresh labelled volume,
 * or a persistent host directory seeded once), and waits until each is healthy.
 */
final class BackendStarter {

    /**
     * Backends started at once: bounded, as each waiting thread costs this JVM a stack and the engine serialises
     * much of a container's creation. In the benchmark's scale rows, 8 was clearly slower than 32 at 50 backends,
     * which matched the best parallel docker CLI (xargs -P 32).
     */
    static final int PARALLELISM = 32;

    private final DockerEngine engine;
    private final DockerClient docker;
    private final StageDefinition definition;
    private final String runId;
    private final StageNetwork network;
    private final Map<String, String> labels;
    private final BackendReach reach;
    private final StageLogs logs;
    /** Told of every volume as soon as it exists, so that a failed start removes it too. */
    private final Consumer<String> volumeCreated;

    BackendStarter(DockerEngine engine, StageDefinition definition, String runId, StageNetwork network,
                   Map<String, String> labels, BackendReach reach, StageLogs logs, Consumer<String> volumeCreated) {
        this.engine = engine;
        this.docker = engine.client();
        this.definition = definition;
        this.runId = runId;
        this.network = network;
        this.labels = labels;
        this.reach = reach;
        this.logs = logs;
        this.volumeCreated = volumeCreated;
    }

    /** Starts every backend; {@code created} hears of each container before it starts, for teardown on failure. */
    void startAll(Consumer<DockerBackend> created, Map<String, String> healthyAfter) {
        List<BackendSpec> specs = definition.backends();
        if (specs.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, specs.size()), r -> {
            Thread thread = new Thread(r, "proxystage-" + definition.name() + "-backend");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Void>> starts = specs.stream()
                    .map(spec -> CompletableFuture.runAsync(() -> {
                        long started = System.nanoTime();
                        start(spec, created);
                        healthyAfter.put(spec.name(), StageEnvironment.millis(started));
                    }, pool))
                    .toList();
            try {
                CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void start(BackendSpec spec, Consumer<DockerBackend> created) {
        String stage = definition.name();
        String containerName = spec.name() + "-" + stage + "-" + runId;
        Map<String, String> containerLabels = Labels.with(Labels.with(labels, Labels.ROLE, "backend"), Labels.BACKEND, spec.name());
        // Fresh data is a labelled volume of this run; persistent data is a host directory (never prod's, see ProdSafety).
        Optional<String> volume = spec.data().filter(d -> !d.persists())
                .map(d -> createVolume(spec.name() + "-" + stage + "-" + runId, containerLabels));
        Optional<Path> hostDir = spec.data().flatMap(DataSpec::hostDir).map(BackendStarter::createDirectory);
        boolean freshData = volume.isPresent() || hostDir.map(BackendStarter::isEmpty).orElse(false);
        String image = imageOf(definition, spec);

        StageContainer container = new StageContainer(docker, containerName, image)
                .configure(cmd -> {
                    cmd.withHostName(spec.alias()).withLabels(containerLabels);
                    StageContainer.hostConfig(cmd).withNetworkMode(network.name());
                    cmd.withAliases(spec.hostNames().toArray(String[]::new));
                    Map<String, String> env = new LinkedHashMap<>(spec.env());
                    env.put("PROXYSTAGE_STAGE", stage);
                    env.put("PROXYSTAGE_ALIAS", spec.alias());
                    if (spec.isEcho()) {
                        env.putAll(EchoShipping.env(spec));
                    }
                    cmd.withEnv(StageContainer.env(env));
                    spec.data().ifPresent(data -> {
                        String source = volume.orElseGet(() -> hostDir.orElseThrow().toString());
                        StageContainer.hostConfig(cmd).withBinds(new Bind(source, new Volume(data.mount()),
                                data.readOnly() ? AccessMode.ro : AccessMode.rw));
                    });
                    if (!spec.command().isEmpty()) {
                        cmd.withCmd(spec.command());
                    }
                    if (spec.isEcho()) {
                        cmd.withCmd(EchoShipping.COMMAND);
                    }
                    if (!spec.entrypoint().isEmpty()) {
                        // Docker then drops the image's CMD unless command names one, as compose's entrypoint does.
                        cmd.withEntrypoint(spec.entrypoint());
                    }
                });
        if (reach.publishes()) {
            container.publish(Set.of(spec.port()), engine.bindAddress());
        }
        spec.data().flatMap(DataSpec::seedFrom).filter(seed -> freshData).ifPresent(seed -> container.copy(
                new StagedFiles().add(spec.data().orElseThrow().mount(), MountableFile.forHostPath(seed))));
        if (spec.isEcho()) {
            container.copy(EchoShipping.files());
        }
        String subject = "backend '" + spec.name() + "' (" + containerName + ", image " + image + ")";
        DockerBackend backend = new DockerBackend(spec, stage, image, container,
                volume.or(() -> hostDir.map(Path::toString)), logs, reach);
        created.accept(backend);
        StageContainer.startExplained(container,
                new HttpHealthWait(subject, reach, network.name(), spec.port(), spec.health().path(), spec.alias()),
                spec.health().timeout(), subject, "it was healthy");
        container.addressOn(network.name()).ifPresent(address -> {
            backend.started(address);
            logs.backendAddress(address, spec.name(), spec.alias());
        });
        logs.container(container.ref(), containerName);
    }

    static String imageOf(StageDefinition definition, BackendSpec spec) {
        return spec.isEcho() ? definition.echoImage() : spec.image();
    }

    private String createVolume(String name, Map<String, String> volumeLabels) {
        docker.createVolumeCmd().withName(name).withLabels(volumeLabels).exec();
        volumeCreated.accept(name);
        return name;
    }

    private static Path createDirectory(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ProxyStageException("cannot create the data directory " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
