package dev.proxystage.internal.runtime;

import dev.proxystage.Settings;
import dev.proxystage.StageBackend;
import dev.proxystage.internal.check.CheckFinding;
import dev.proxystage.internal.check.NginxTest;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.LiveRun;
import dev.proxystage.internal.engine.Reload;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.ProdSafety;
import dev.proxystage.internal.plan.Routes;
import dev.proxystage.internal.plan.StagePlan;
import dev.proxystage.internal.tls.CaDirectories;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import dev.proxystage.internal.watch.LiveReload;
import dev.proxystage.internal.watch.PipelineWatch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One {@code up}: brings one stage up exactly as the extension does for a test class (orphan sweep, a fresh run id, a
 * test CA, the plan, the engine's start), prints how to reach it, then {@code ready}, and follows the containers' logs
 * until the JVM is told to stop, when a shutdown hook takes everything down in order: followers, the stage, whatever
 * else of the run is on the engine, and the CA directory.
 */
public final class UpSession {

    private static final long WATCH_MILLIS = 1000;

    /** Another {@code up} that keeps the stage running: its run, its pid and its containers. */
    public record OtherUp(String runId, long pid, List<String> containers) {
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Function<Throwable, String> describe;
    private final Run run;
    private final Engine engine;
    private final Settings settings;
    private final StageDefinition definition;
    private final String runId;
    private final boolean persist;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<AutoCloseable> followers = new CopyOnWriteArrayList<>();
    private final Thread hook;
    private volatile TestCertificateAuthority ca;
    private volatile StagePlan plan;
    private volatile StageInternals stage;
    private boolean watchFiles;
    private List<Path> pipelineFiles = List.of();
    private Supplier<StageDefinition> reread;
    /** How the lines {@code up} prints name the tool's other commands: its command line and a space, or nothing. */
    private String tool = "";

    private UpSession(PrintStream out, PrintStream err, Function<Throwable, String> describe, Run run, Settings settings,
                      StageDefinition definition) {
        this.out = out;
        this.err = err;
        this.describe = describe;
        this.run = run;
        this.engine = run.engine();
        this.settings = settings;
        this.definition = definition;
        this.runId = run.runId();
        this.persist = settings.persist();
        this.hook = new Thread(() -> stop(true), "proxystage-up-stop");
    }

    /**
     * An {@code up} of {@code stage} of {@code pipeline} on the engine {@code settings} name; nothing starts before
     * {@link #run()}. Results go to {@code out}, diagnostics to {@code err}; {@code describe} words a failure in one
     * line.
     */
    public static UpSession open(Settings settings, Pipeline pipeline, String stage, PrintStream out, PrintStream err,
                                 Function<Throwable, String> describe) {
        StageDefinition definition = pipeline.definition(stage);
        // The one start path: the run sweeps orphans before its first stage, makes the CA, plans and starts.
        Run run = Run.open(settings, err::println);
        return new UpSession(out, err, describe, run, settings, definition);
    }

    /** The command line that runs this tool ({@code java -jar proxystage-cli.jar}), for the lines naming its commands. */
    public void tool(String commandLine) {
        this.tool = commandLine.isBlank() ? "" : commandLine.strip() + " ";
    }

    /** Where the engine is looked for. */
    public String engineAddress() {
        return run.engineAddress();
    }

    /** The {@code up} of another JVM that keeps this stage running, if there is one. */
    public Optional<OtherUp> otherUp() {
        return engine.liveRuns(Optional.of(definition.name())).stream().filter(LiveRun::up).findFirst()
                .map(live -> new OtherUp(live.runId(), live.pid(), live.containers()));
    }

    /**
     * With {@code --watch}: nginx is reloaded when its files change, and an edit of {@code pipelineFiles} (pipeline.yml
     * and the profile's overlay) gets one line saying whether it changed the stage, which {@code reread} loads anew.
     */
    public void watchFiles(List<Path> pipelineFiles, Supplier<Pipeline> reread) {
        this.watchFiles = true;
        this.pipelineFiles = List.copyOf(pipelineFiles);
        this.reread = () -> reread.get().definition(definition.name());
    }

    /**
     * Starts the stage and waits until the JVM is told to stop (the shutdown hook then takes it down).
     *
     * @return false when the stage did not start, or a container of it stopped by itself (after a full teardown); true
     *         when it was asked to stop
     */
    public boolean run() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            start();
        } catch (RuntimeException e) {
            String failure = describe.apply(e);
            err.println(failure);
            if (plan != null && stage == null) {
                diagnoseNginx(failure);
            }
            stop(false);
            return false;
        }
        return watch();
    }

    private void start() {
        if (sigintIgnored()) {
            err.println("note: this process ignores SIGINT (a non-interactive shell started it in the"
                    + " background), so Ctrl-C and kill -INT cannot stop it; stop it with kill "
                    + ProcessHandle.current().pid() + " (SIGTERM)");
        }
        ca = run.ca();
        CaDirectories.mark(ca, definition.name(), runId);
        plan = run.plan(definition, settings);
        for (Problem warning : plan.warnings()) {
            err.println(CheckFinding.of(warning).line());
        }
        stage = run.startPublished(settings, plan);
        synchronized (out) {
            describe().forEach(out::println);
            if (watchFiles) {
                // Planned against the served plan, so unchanged certificates are not issued again.
                followers.add(LiveReload.watch(out, describe, definition, () -> run.replan(plan, definition, settings), next -> {
                    Reload result = run.reload(stage, next);
                    if (result.isApplied()) {
                        plan = next;
                    }
                    return result;
                }));
                followers.add(new PipelineWatch(out, describe, definition, reread).watch(pipelineFiles));
            }
            out.println("ready");
            out.flush();
        }
        followers.add(stage.nginx().followLogs(line -> emit("nginx", line)));
        for (StageBackend backend : stage.backends()) {
            followers.add(backend.followLogs(line -> emit(backend.name(), line)));
        }
        // Faults, whoever applies them: the fault proxies' lines and the engine's pauses and moves.
        followers.add(engine.followFaults(runId, stage.networkName(), this::emit));
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
            List<CheckFinding> findings = NginxTest.run(run, definition, Optional.of(plan.config())).orElse(List.of())
                    .stream().filter(CheckFinding::error).toList();
            if (!findings.isEmpty()) {
                err.println("nginx -t in " + definition.nginx().image() + " says:");
                findings.forEach(f -> err.println(f.line()));
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
        String published = engine.publishedHost();
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
        lines.add("faults: '" + tool + "fault --stage " + definition.name() + " <backend> <fault>' breaks a backend, '"
                + tool + "heal --stage " + definition.name() + "' heals; " + (proxied.isEmpty() ? "no backend has the fault proxy in its path"
                + " (faults: true), so hang and restartWithNewAddress only"
                : "the fault proxy is in the path of " + String.join(", ", proxied)));
        if (ProdSafety.mayShare(definition)) {
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
        synchronized (out) {
            out.println("[" + container + "] " + line);
        }
    }

    /** Waits for the signal; a container that stops by itself ends {@code up} after a full teardown. */
    private boolean watch() throws InterruptedException {
        Map<String, String> containers = new LinkedHashMap<>();
        containers.put(stage.nginx().containerName(), "nginx");
        stage.backends().forEach(b -> containers.put(b.containerName(), "backend " + b.name()));
        while (!stopping.get()) {
            Thread.sleep(WATCH_MILLIS);
            for (Map.Entry<String, String> container : containers.entrySet()) {
                Optional<String> gone = engine.stopped(container.getKey());
                if (gone.isPresent() && !stopping.get()) {
                    err.println(container.getValue() + " (" + container.getKey() + ") " + gone.get()
                            + "; stopping the stage");
                    stop(false);
                    return false;
                }
            }
        }
        return true;
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
            err.println("stopping stage " + definition.name() + " (run " + runId + ")");
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
                problems.add(describe.apply(e));
            }
        }
        if (!persist) {
            // Whatever a start interrupted by the signal had made, or teardown missed: everything of this run.
            try {
                String rest = engine.sweepRun(runId);
                if (!rest.isEmpty()) {
                    err.println(rest);
                }
            } catch (RuntimeException e) {
                problems.add(describe.apply(e));
            }
        }
        TestCertificateAuthority authority = ca;
        if (authority != null) {
            try {
                run.close();
            } catch (RuntimeException e) {
                problems.add(describe.apply(e));
            }
        }
        if (persist) {
            volumes.forEach(data -> err.println(kept(data)
                    ? "kept data: " + data + " (the next 'up --persist' of stage " + definition.name() + " sees it)"
                    : "data not kept: " + data + " was removed (this ProxyStage build does not persist it)"));
        }
        problems.forEach(p -> err.println("problem while stopping: " + p));
        if (signalled || running != null) {
            err.println("stopped: stage " + definition.name() + " (run " + runId + ") removed"
                    + (authority != null ? ", CA directory deleted" : ""));
        }
        out.flush();
        err.flush();
    }

    private boolean kept(String data) {
        return isHostDirectory(data) || engine.volumeExists(data);
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
