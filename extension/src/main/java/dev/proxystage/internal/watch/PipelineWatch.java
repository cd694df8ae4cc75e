package dev.proxystage.internal.watch;

import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.plan.Fingerprint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code up --watch} and the pipeline files: the stage's backends, images and settings come from them and are not
 * reloaded live, so an edit gets one line saying whether the running stage is still what the files define. Without
 * it, an edit there would pass unnoticed until attaching tests start fresh stages because the definition differs.
 */
public final class PipelineWatch {

    private final PrintStream out;
    private final Function<Throwable, String> describe;
    private final String stage;
    private final Supplier<StageDefinition> reread;
    private final String running;

    /**
     * For stage {@code running} of the files; {@code reread} loads the stage from the files as they are now
     * (throwing the file:line problem when they do not load); lines go to {@code out}, and {@code describe} words a
     * failure in one line.
     */
    public PipelineWatch(PrintStream out, Function<Throwable, String> describe, StageDefinition running,
                         Supplier<StageDefinition> reread) {
        this.out = out;
        this.describe = describe;
        this.stage = running.name();
        this.reread = reread;
        this.running = Fingerprint.of(running).definition();
    }

    /** Starts watching {@code files} (pipeline.yml and the profile's overlay); closing the result stops it. */
    public AutoCloseable watch(List<Path> files) {
        ConfWatcher watcher = new ConfWatcher(List.of(), files, this::changed).start();
        out.println("watching " + files.stream().map(f -> f.toAbsolutePath().normalize().toString()).collect(Collectors.joining(" and "))
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
            line = what + " does not load: " + describe.apply(e).strip().replaceAll("\\s*\\R\\s*", "; ")
                    + "; stage " + stage + " keeps the definition it started with";
        }
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
