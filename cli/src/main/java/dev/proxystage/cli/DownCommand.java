package dev.proxystage.cli;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.DockerEngine;
import dev.proxystage.internal.docker.Sweeper;
import dev.proxystage.internal.docker.Sweeper.SweepReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code down}: removes what a crashed {@code up} or a killed test JVM left behind, with the extension's own sweeper:
 * every run this machine made of the stage (or of every stage) whose JVM is not alive, plus the orphans of any stage,
 * plus the CA directories of killed {@code up}s, on the engine in use. Runs whose JVM is alive are left alone, and
 * named; so are runs other machines made on a shared engine.
 */
@Command(name = "down", sortOptions = false,
        header = "Remove what a crashed 'up' or a killed test JVM left behind.",
        description = {
                "Removes, on the Docker engine in use, the containers, networks and volumes of every run this"
                        + " machine made of the stage (or of every stage) whose JVM is no longer alive, and the CA"
                        + " directories of killed 'up's. Runs whose JVM still runs are left alone, and named; runs"
                        + " that other machines made on a shared engine are left alone. Prints what it removed, or"
                        + " 'nothing to remove'.",
                "Exit codes: 0 done, 1 something could not be removed, 2 usage error."})
final class DownCommand implements Callable<Integer> {

    private final Main.Io io;

    @Option(names = "--stage", paramLabel = "<stage>", description = "Only this stage's runs (default: every stage).")
    String stage;

    @Mixin
    CommonOptions common;

    DownCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        DockerClient docker = DockerEngine.client();
        Sweeper sweeper = Sweeper.onEngine(docker);
        Optional<String> only = Optional.ofNullable(stage);
        // First the CA directories 'up' marked, so they are reported with their run (the orphan sweep takes the rest).
        List<CaDirectories.Removed> caDirectories = CaDirectories.removeStale(only);
        SweepReport report = sweeper.sweepStage(only, false).plus(sweeper.sweepOrphans());
        List<StageOwners.LiveRun> live = StageOwners.live(docker, only);
        lines(report, caDirectories, live).forEach(io.out()::println);
        report.problems().forEach(problem -> io.err().println("could not remove: " + problem));
        return report.problems().isEmpty() ? Main.OK : Main.PROBLEMS;
    }

    /** What {@code down} prints for a sweep. */
    static List<String> lines(SweepReport report, List<CaDirectories.Removed> caDirectories, List<StageOwners.LiveRun> live) {
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
        for (StageOwners.LiveRun run : live) {
            lines.add("left run " + run.runId() + " of stage " + run.stage() + " alone: pid " + run.pid() + " is alive ("
                    + (run.up() ? "an 'up'; stop it with Ctrl-C or kill " + run.pid() : "a test run or another JVM") + ")");
        }
        return lines;
    }
}
