package dev.proxystage.cli;

import dev.proxystage.Settings;
import dev.proxystage.internal.runtime.Pipeline;
import dev.proxystage.internal.runtime.UpSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code up}: brings one stage up exactly as the extension does for a test class ({@link UpSession}), prints how to
 * reach it, then {@code ready}, and follows the containers' logs until SIGINT or SIGTERM, when a shutdown hook takes
 * everything down in order.
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
        Pipeline pipeline = pipelineOptions.load(settings);
        String name = pipelineOptions.select(pipeline, stage);
        UpSession session = UpSession.open(settings, pipeline, name, io.out(), io.err(), Main::describe);
        session.tool(Main.NAME);
        io.err().println("stage " + name + ": connecting to the Docker engine at " + session.engineAddress());
        Optional<UpSession.OtherUp> running = session.otherUp();
        if (running.isPresent()) {
            UpSession.OtherUp other = running.get();
            io.err().println("stage '" + name + "' is already up (run " + other.runId() + ", pid "
                    + other.pid() + ", " + String.join(", ", other.containers()) + "); stop that 'up' first (Ctrl-C in"
                    + " its terminal, or kill " + other.pid() + ")");
            return Main.PROBLEMS;
        }
        if (watch) {
            List<Path> pipelineFiles = new ArrayList<>(List.of(pipelineOptions.config));
            settings.profile().ifPresent(profile -> pipelineFiles.add(Pipeline.overlayPath(pipelineOptions.config, profile)));
            session.watchFiles(pipelineFiles, () -> pipelineOptions.load(settings));
        }
        return session.run() ? Main.OK : Main.PROBLEMS;
    }
}
