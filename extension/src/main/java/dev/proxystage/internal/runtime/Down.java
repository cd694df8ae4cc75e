package dev.proxystage.internal.runtime;

import dev.proxystage.Settings;
import dev.proxystage.internal.engine.Cleanup;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.LiveRun;
import dev.proxystage.internal.tls.CaDirectories;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code down}: removes what a crashed {@code up} or a killed test JVM left behind, with the extension's own sweeper,
 * on the engine {@code settings} name: every run this machine made of the stage (or of every stage) whose JVM is not
 * alive, the orphans of any stage, and the CA directories of killed {@code up}s. Runs whose JVM is alive are left
 * alone, and named; so are runs other machines made on a shared engine.
 */
public final class Down {

    /**
     * What {@code down} did.
     *
     * @param lines    what it removed, or {@code nothing to remove}, then the runs it left alone
     * @param problems what it could not remove, one line each
     */
    public record Report(List<String> lines, List<String> problems) {
    }

    private Down() {
    }

    public static Report run(Settings settings, Optional<String> stage) {
        Engine engine = Engines.forSettings(settings);
        engine.connect();
        // First the CA directories 'up' marked, so they are reported with their run (the orphan sweep takes the rest).
        List<CaDirectories.Removed> caDirectories = CaDirectories.removeStale(stage);
        Cleanup report = engine.sweepStage(stage);
        List<LiveRun> live = engine.liveRuns(stage);
        return new Report(lines(report, caDirectories, live), report.problems());
    }

    /** What {@code down} prints for a sweep. */
    static List<String> lines(Cleanup report, List<CaDirectories.Removed> caDirectories, List<LiveRun> live) {
        List<String> lines = new ArrayList<>();
        report.runs().forEach(run -> lines.add("swept run " + run));
        report.containers().forEach(name -> lines.add("removed container " + name));
        report.networks().forEach(name -> lines.add("removed network " + name));
        report.volumes().forEach(name -> lines.add("removed volume " + name));
        caDirectories.forEach(dir -> lines.add("removed CA directory " + dir.directory() + " (run " + dir.runId()
                + " of stage " + dir.stage() + ", pid " + dir.pid() + " gone)"));
        if (lines.isEmpty()) {
            lines.add("nothing to remove");
        }
        for (LiveRun run : live) {
            lines.add("left run " + run.runId() + " of stage " + run.stage() + " alone: pid " + run.pid() + " is alive ("
                    + (run.up() ? "an 'up'; stop it with Ctrl-C or kill " + run.pid() : "a test run or another JVM") + ")");
        }
        return lines;
    }
}
