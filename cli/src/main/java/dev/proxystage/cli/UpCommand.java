package dev.proxystage.cli;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.StageBackend;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.docker.DockerEngine;
import dev.proxystage.internal.docker.FaultLog;
import dev.proxystage.internal.runtime.Run;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.docker.Sweeper;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.StagePlan;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code up}: brings one stage up exactly as the extension does for a test class (orphan sweep, a fresh run id, a
 * test CA, {@code StagePlan.prepare}, {@code StageEnvironment.start}), prints how to reach it, then {@code ready}, and
 * follows the containers' logs until SIGINT or SIGTERM, when a shutdown hook takes everything down in order.
 */
@Command(name = "up", sortOptions = false,
        header = "Bring one stage up as the tests do, and keep it running.",
        description = {
                "Brings the stage up exactly as the extension does for a test class, then prints a curl command"
                        + " per route (through the published ports, with SNI and Host as in production), the CA file,"
                        + " the nginx ports, each backend's direct URL and data volume, and a last line 'ready'. Then"
                        + " it follows the nginx and backend logs, each line prefixed with [container].",
                "Ctrl-C (SIGINT) or SIGTERM stops and removes everything (nginx, backends, network, volumes, the"
                        + " CA directory). A stage that another 'up' keeps running is refused.",
                "Exit codes: 1 the stage did not start or stopped by itself, 2 usage error; a signal ends it"
                        + " with 130 (SIGINT) or 143 (SIGTERM)."})
final class UpCommand implements Callable<Integer> {

    private static final long WATCH_MILLIS = 1000;

    private final Main.Io io;

    @Mixin
    PipelineOptions pipelineOptions;

    @Option(names = "--stage", paramLabel = "<stage>", description = "The stage (default: defaultStage of the pipeline).")
    String stage;

    @Option(names = "--persist", description = "Keep the stage's data (its backends' data volumes) when up stops;"
            + " a later up of the stage sees it.")
    boolean persist;

    @Option(names = "--watch", description = "Reload nginx when conf.d, an nginx.files directory or the main"
            + " nginx.conf changes: checked as at start (plan checks, then nginx -t in the running nginx), then a"
            + " graceful reload; backends keep running. A broken edit keeps the previous configuration serving."
            + " An edit of pipeline.yml (or the profile's overlay) is not applied; a line says whether it changed the stage.")
    boolean watch;

    @Mixin
    CommonOptions common;

    UpCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
        Settings settings = pipelineOptions.settings().toBuilder().persist(persist || pipelineOptions.settings().persist()).build();
        StageDefinition definition = definition(settings);
        DockerEngine.usePublishHost(settings.publishHost());
        io.err().println("stage " + definition.name() + ": connecting to the Docker engine at " + DockerEngine.configuredAddress());
        DockerClient docker = DockerEngine.client();
        Optional<StageOwners.LiveRun> running = StageOwners.liveUp(docker, definition.name());
        if (running.isPresent()) {
            StageOwners.LiveRun other = running.get();
            io.err().println("stage '" + definition.name() + "' is already up (run " + other.runId() + ", pid "
                    + other.pid() + ", " + String.join(", ", other.containers()) + "); stop that 'up' first (Ctrl-C in"
                    + " its terminal, or kill " + other.pid() + ")");
            return Main.PROBLEMS;
        }
        // The one start path: the run sweeps orphans before its first stage, makes the CA, plans and starts.
        Run run = Run.open(settings, line -> io.err().println(line));
        Session session = new Session(io, docker, run, settings, definition, settings.persist());
        session.watchFiles = watch;
        session.pipelineFiles = new ArrayList<>(List.of(pipelineOptions.config));
        settings.profile().ifPresent(profile -> session.pipelineFiles.add(PipelineConfigLoader.overlayPath(pipelineOptions.config, profile)));
        session.reread = () -> pipelineOptions.load(settings).stage(definition.name());
        return session.run();
    }

    private StageDefinition definition(Settings settings) {
        PipelineConfig pipeline = pipelineOptions.load(settings);
        if (stage == null && pipeline.defaultStage().isEmpty()) {
            throw new ProxyStageException("no stage selected: pass --stage <stage>, or set defaultStage in "
                    + pipelineOptions.config.getFileName() + " (known: " + String.join(", ", pipeline.stageNames()) + ")");
        }
        return pipeline.select(Optional.ofNullable(stage));
    }

    /** One {@code up}: its CA, its stage, its log followers, and the shutdown hook that removes them. */
    static final class Session {

        private final Main.Io io;
        private final DockerClient docker;
        private final StageDefinition definition;
        private final Run run;
        private final Settings settings;
        private final String runId;
        private final boolean persist;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<AutoCloseable> followers = new CopyOnWriteArrayList<>();
        private final Thread hook;
        private volatile TestCertificateAuthority ca;
        private volatile StagePlan plan;
        private volatile StageInternals stage;
        boolean watchFiles;
        List<Path> pipelineFiles = List.of();
        java.util.function.Supplier<StageDefinition> reread;

        Session(Main.Io io, DockerClient docker, Run run, Settings settings, StageDefinition definition, boolean persist) {
            this.io = io;
            this.docker = docker;
            this.run = run;
            this.settings = settings;
            this.definition = definition;
            this.runId = run.runId();
            this.persist = persist;
            this.hook = new Thread(() -> stop(true), "proxystage-up-stop");
        }

        int run() throws InterruptedException {
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                start();
            } catch (RuntimeException e) {
                String failure = Main.describe(e);
                io.err().println(failure);
                if (plan != null && stage == null) {
                    diagnoseNginx(failure);
                }
                stop(false);
                return Main.PROBLEMS;
            }
            return watch();
        }

        private void start() {
            if (sigintIgnored()) {
                io.err().println("note: this process ignores SIGINT (a non-interactive shell started it in the"
                        + " background), so Ctrl-C and kill -INT cannot stop it; stop it with kill "
                        + ProcessHandle.current().pid() + " (SIGTERM)");
            }
            ca = run.ca();
            CaDirectories.mark(ca, definition.name(), runId);
            plan = run.plan(definition, settings);
            for (Problem warning : plan.warnings()) {
                io.err().println(Finding.of(warning).line());
            }
            stage = run.startPublished(settings, plan);
            synchronized (io.out()) {
                describe().forEach(io.out()::println);
                if (watchFiles) {
                    // Planned against the served plan, so unchanged certificates are not issued again.
                    followers.add(LiveReload.watch(io, definition, () -> run.replan(plan, definition, settings), next -> {
                        var result = run.reload(stage, next);
                        if (result.isApplied()) {
                            plan = next;
                        }
                        return result;
                    }));
                    followers.add(new PipelineWatch(io, definition, reread).watch(pipelineFiles));
                }
                io.out().println("ready");
                io.out().flush();
            }
            followers.add(stage.nginx().followLogs(line -> emit("nginx", line)));
            for (StageBackend backend : stage.backends()) {
                followers.add(backend.followLogs(line -> emit(backend.name(), line)));
            }
            // Faults, whoever applies them: the fault proxies' lines and the engine's pauses and moves.
            followers.add(FaultLog.follow(docker, runId, stage.networkName(), this::emit));
        }

        /**
         * When the stage failed to start without nginx's own words (a container that exits at once can fail
         * Testcontainers' start before its output is read), nginx -t in a one-off container says what is wrong.
         */
        private void diagnoseNginx(String failure) {
            if (failure.contains("[emerg]")) {
                return;
            }
            try {
                List<Finding> findings = NginxTest.run(run, definition, Optional.of(plan.config())).orElse(List.of())
                        .stream().filter(Finding::error).toList();
                if (!findings.isEmpty()) {
                    io.err().println("nginx -t in " + definition.nginx().image() + " says:");
                    findings.forEach(f -> io.err().println(f.line()));
                }
            } catch (RuntimeException e) {
                // the failure above is the report
            }
        }

        /** What {@code up} prints before {@code ready}. */
        private List<String> describe() {
            List<String> lines = new ArrayList<>();
            lines.add("stage " + definition.name() + " is up: run " + runId + ", network " + stage.networkName());
            Path caFile = trustFile();
            String published = DockerEngine.publishedHost();
            List<Routes.Route> routes = Routes.of(stage.nginxConfig(), definition.tls(), stage.nginx().mappedPorts());
            for (Routes.Route route : routes) {
                lines.add(route.curl(published, Optional.of(caFile)));
            }
            if (routes.isEmpty()) {
                lines.add("no route: no server block of the conf.d names a host (only catch-all server_name _ or \"\")");
            }
            lines.add("ca: " + ca.caCertificatePem());
            lines.add("nginx: " + stage.nginx().containerName() + " (" + stage.nginx().image() + "), ports "
                    + stage.nginx().mappedPorts().entrySet().stream()
                    .map(e -> e.getKey() + " -> " + published + ":" + e.getValue()).collect(Collectors.joining(", ")));
            for (StageBackend backend : stage.backends()) {
                lines.add("backend " + backend.name() + ": " + backend.directUrl() + " (" + backend.containerName()
                        + ", " + backend.image() + ")");
            }
            for (StageBackend backend : stage.backends()) {
                backend.dataVolume().ifPresent(data -> {
                    boolean directory = isHostDirectory(data);
                    lines.add("data " + backend.name() + ": " + (directory ? "host directory " : "volume ") + data
                            + definition.backend(backend.name()).flatMap(b -> b.dataMount()).map(m -> " at " + m).orElse("")
                            + (directory ? " (kept when up stops)"
                            : persist ? " (removed when up stops)" : " (removed when up stops; --persist keeps it)"));
                });
            }
            List<String> proxied = definition.backends().stream().filter(b -> b.faults()).map(b -> b.name()).toList();
            lines.add("faults: '" + Main.NAME + " fault --stage " + definition.name() + " <backend> <fault>' breaks a"
                    + " backend, '" + Main.NAME + " heal --stage " + definition.name() + "' heals; "
                    + (proxied.isEmpty() ? "no backend has the fault proxy in its path (faults: true), so hang and"
                    + " restartWithNewAddress only" : "the fault proxy is in the path of " + String.join(", ", proxied)));
            if (dev.proxystage.internal.plan.ProdSafety.mayShare(definition)) {
                lines.add("attach: tests of this pipeline, profile and stage run with -D" + Settings.ATTACH
                        + "=true use this stage while its conf.d is the one it serves");
            }
            return lines;
        }

        /** ca.pem; with {@code tls.trust}, a bundle of it and those certificates, as the stage's client trusts. */
        private Path trustFile() {
            Path caPem = ca.caCertificatePem();
            if (definition.tls().trust().isEmpty()) {
                return caPem;
            }
            try {
                StringBuilder bundle = new StringBuilder(Files.readString(caPem));
                for (Path pem : definition.tls().trust()) {
                    bundle.append('\n').append(Files.readString(pem));
                }
                Path file = ca.directory().resolve("trust.pem");
                Files.writeString(file, bundle);
                return file;
            } catch (IOException e) {
                return caPem;
            }
        }

        /** Whether SIGINT is ignored, as a shell without job control leaves it for {@code cmd &}; Linux only. */
        static boolean sigintIgnored() {
            Path status = Path.of("/proc/self/status");
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("SigIgn:")) {
                        long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                        return (ignored & (1L << (2 - 1))) != 0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or not readable: nothing to say
            }
            return false;
        }

        private void emit(String container, String line) {
            synchronized (io.out()) {
                io.out().println("[" + container + "] " + line);
            }
        }

        /** Waits for the signal; a container that stops by itself ends {@code up} (exit 1) after a full teardown. */
        private int watch() throws InterruptedException {
            Map<String, String> containers = new LinkedHashMap<>();
            containers.put(stage.nginx().containerName(), "nginx");
            stage.backends().forEach(b -> containers.put(b.containerName(), "backend " + b.name()));
            while (!stopping.get()) {
                Thread.sleep(WATCH_MILLIS);
                for (Map.Entry<String, String> container : containers.entrySet()) {
                    Optional<String> gone = stopped(container.getKey());
                    if (gone.isPresent() && !stopping.get()) {
                        io.err().println(container.getValue() + " (" + container.getKey() + ") " + gone.get()
                                + "; stopping the stage");
                        stop(false);
                        return Main.PROBLEMS;
                    }
                }
            }
            return Main.OK;
        }

        private Optional<String> stopped(String container) {
            try {
                InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(container).exec().getState();
                return Boolean.TRUE.equals(state.getRunning()) ? Optional.empty()
                        : Optional.of("exited with code " + state.getExitCodeLong());
            } catch (NotFoundException e) {
                return Optional.of("was removed");
            } catch (RuntimeException e) {
                // The engine did not answer this time; ask again next round.
                return Optional.empty();
            }
        }

        /** Stops following, takes the stage down (nginx, backends, network, volumes) and deletes the CA directory. */
        void stop(boolean signalled) {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            if (Thread.currentThread() != hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway, and returns at once
                }
            }
            StageInternals running = stage;
            if (signalled) {
                io.err().println("stopping stage " + definition.name() + " (run " + runId + ")");
            }
            for (AutoCloseable follower : followers) {
                try {
                    follower.close();
                } catch (Exception e) {
                    // the stream ends with its container anyway
                }
            }
            List<String> problems = new ArrayList<>();
            List<String> volumes = new ArrayList<>();
            if (running != null) {
                running.backends().forEach(b -> b.dataVolume().ifPresent(volumes::add));
                try {
                    running.close();
                } catch (RuntimeException e) {
                    problems.add(Main.describe(e));
                }
            }
            if (!persist) {
                // Whatever a start interrupted by the signal had made, or teardown missed: everything of this run.
                try {
                    Sweeper.SweepReport rest = Sweeper.onEngine(docker).sweepRun(runId);
                    if (!rest.isEmpty()) {
                        io.err().println(rest);
                    }
                } catch (RuntimeException e) {
                    problems.add(Main.describe(e));
                }
            }
            TestCertificateAuthority authority = ca;
            if (authority != null) {
                try {
                    run.close();
                } catch (RuntimeException e) {
                    problems.add(Main.describe(e));
                }
            }
            if (persist) {
                volumes.forEach(data -> io.err().println(kept(data)
                        ? "kept data: " + data + " (the next 'up --persist' of stage " + definition.name() + " sees it)"
                        : "data not kept: " + data + " was removed (this ProxyStage build does not persist it)"));
            }
            problems.forEach(p -> io.err().println("problem while stopping: " + p));
            if (signalled || running != null) {
                io.err().println("stopped: stage " + definition.name() + " (run " + runId + ") removed"
                        + (authority != null ? ", CA directory deleted" : ""));
            }
            io.out().flush();
            io.err().flush();
        }

        private boolean kept(String data) {
            if (isHostDirectory(data)) {
                return true;
            }
            try {
                docker.inspectVolumeCmd(data).exec();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }

        /** Persistent data is a host directory; fresh data a volume of the run (see StageBackend.dataVolume). */
        static boolean isHostDirectory(String data) {
            try {
                Path path = Path.of(data);
                return path.isAbsolute() && Files.isDirectory(path);
            } catch (RuntimeException notAPath) {
                return false;
            }
        }
    }
}
