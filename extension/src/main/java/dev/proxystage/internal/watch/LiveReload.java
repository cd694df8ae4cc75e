package dev.proxystage.internal.watch;

import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Reload;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.Fingerprint;
import dev.proxystage.internal.plan.StagePlan;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code up --watch}: each settled edit of nginx's host files is planned again (the checks a start makes, and
 * certificates from the run's CA for new paths and names), then reloaded into the running nginx. One line per
 * edit: {@code reloaded in 240 ms (conf.d/app.conf changed)}, or {@code rejected: <why>; still serving the
 * previous configuration}.
 */
public final class LiveReload {

    private final PrintStream out;
    private final Function<Throwable, String> describe;
    private final NginxSpec spec;
    private final Supplier<StagePlan> planner;
    private final Function<StagePlan, Reload> reloader;
    private final StageDefinition definition;
    // The files as last tried: events that arrive while an edit is applied repeat it, and are dropped.
    private String lastTried;

    private LiveReload(PrintStream out, Function<Throwable, String> describe, StageDefinition definition,
                       Supplier<StagePlan> planner, Function<StagePlan, Reload> reloader) {
        this.out = out;
        this.describe = describe;
        this.definition = definition;
        this.spec = definition.nginx();
        this.planner = planner;
        this.reloader = reloader;
        this.lastTried = Fingerprint.of(definition).files();
    }

    /**
     * Starts watching {@code definition}'s nginx files; closing the result stops it. Its lines go to {@code out};
     * {@code describe} words a failure in one line.
     */
    public static AutoCloseable watch(PrintStream out, Function<Throwable, String> describe, StageDefinition definition,
                                      Supplier<StagePlan> planner, Function<StagePlan, Reload> reloader) {
        NginxSpec spec = definition.nginx();
        LiveReload reload = new LiveReload(out, describe, definition, planner, reloader);
        List<Path> directories = new ArrayList<>();
        directories.add(spec.confDir());
        List<Path> files = new ArrayList<>(spec.mainConfig().map(List::of).orElse(List.of()));
        // nginx.files maps directories and single files (a dhparams file): each is watched as what it is.
        spec.files().values().forEach(p -> (Files.isDirectory(p) ? directories : files).add(p));
        ConfWatcher watcher = new ConfWatcher(directories, files, reload::changed).start();
        out.println("watching " + directories.stream().map(Object::toString).collect(Collectors.joining(", "))
                + (files.isEmpty() ? "" : " and " + files.stream().map(Object::toString).collect(Collectors.joining(", ")))
                + " for changes");
        return watcher;
    }

    void changed(Set<Path> paths) {
        String files;
        try {
            files = Fingerprint.of(definition).files();
        } catch (RuntimeException unreadable) {
            files = "unreadable " + System.nanoTime();
        }
        if (files.equals(lastTried)) {
            return;
        }
        lastTried = files;
        String what = paths.stream().map(this::shown).distinct().collect(Collectors.joining(", ")) + " changed";
        String line;
        try {
            long started = System.nanoTime();
            StagePlan plan = planner.get();
            List<String> warnings = plan.warnings().stream().map(Problem::toString).map(w -> "warning: " + w).toList();
            Reload result = reloader.apply(plan);
            long millis = (System.nanoTime() - started) / 1_000_000;
            warnings.forEach(w -> println(w));
            line = result.rejection()
                    .map(why -> rejected(why))
                    .orElse("reloaded in " + millis + " ms (" + what + ")");
        } catch (RuntimeException e) {
            line = rejected(describe.apply(e));
        }
        println(line);
    }

    private static String rejected(String why) {
        return "rejected: " + why.strip().replaceAll("\\s*\\R\\s*", "; ") + "; still serving the previous configuration";
    }

    private void println(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** A changed path as the user knows it: relative to the watched directory's parent ({@code conf.d/app.conf}). */
    private String shown(Path path) {
        List<Path> roots = new ArrayList<>();
        roots.add(spec.confDir());
        roots.addAll(spec.files().values());
        spec.mainConfig().ifPresent(roots::add);
        for (Path root : roots) {
            Path absolute = root.toAbsolutePath().normalize();
            if (path.startsWith(absolute)) {
                Path base = absolute.getParent() == null ? absolute : absolute.getParent();
                return base.relativize(path).toString();
            }
        }
        return path.toString();
    }
}
