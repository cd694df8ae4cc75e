package dev.proxystage.cli;

import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.plan.Fingerprint;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code up --watch} and the pipeline files: the stage's backends, images and settings come from them and are not
 * reloaded live, so an edit gets one line saying whether the running stage is still what the files define. Without
 * it, an edit there would pass unnoticed until attaching tests start fresh stages because the definition differs.
 */
final class PipelineWatch {

    private final Main.Io io;
    private final String stage;
    private final Supplier<StageDefinition> reread;
    private final String running;

    /**
     * For stage {@code running} of the files; {@code reread} loads the stage from the files as they are now
     * (throwing the file:line problem when they do not load).
     */
    PipelineWatch(Main.Io io, StageDefinition running, Supplier<StageDefinition> reread) {
        this.io = io;
        this.stage = running.name();
        this.reread = reread;
        this.running = Fingerprint.of(running).definition();
    }

    /** Starts watching {@code files} (pipeline.yml and the profile's overlay); closing the result stops it. */
    AutoCloseable watch(List<Path> files) {
        ConfWatcher watcher = new ConfWatcher(List.of(), files, this::changed).start();
        io.out().println("watching " + files.stream().map(f -> f.toAbsolutePath().normalize().toString()).collect(Collectors.joining(" and "))
                + " for changes to stage " + stage + "'s definition");
        return watcher;
    }

    void changed(Set<Path> paths) {
        String what = paths.stream().map(p -> p.getFileName().toString()).distinct().collect(Collectors.joining(", "));
        String line;
        try {
            String now = Fingerprint.of(reread.get()).definition();
            line = now.equals(running)
                    ? what + " changed; stage " + stage + "'s definition did not"
                    : what + " changed stage " + stage + "'s definition, which up does not reload: it keeps serving the"
                    + " one it started with; stop it and start it again to apply the change (until then, tests with"
                    + " -Dproxystage.attach=true start a fresh stage)";
        } catch (RuntimeException e) {
            line = what + " does not load: " + Main.describe(e).strip().replaceAll("\\s*\\R\\s*", "; ")
                    + "; stage " + stage + " keeps the definition it started with";
        }
        synchronized (io.out()) {
            io.out().println(line);
            io.out().flush();
        }
    }
}
