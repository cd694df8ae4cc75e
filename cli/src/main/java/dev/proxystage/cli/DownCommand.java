package dev.proxystage.cli;

import dev.proxystage.Settings;
import dev.proxystage.internal.runtime.Down;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code down}: removes what a crashed {@code up} or a killed test JVM left behind, with the extension's own sweeper
 * ({@link Down}); prints what it removed and what it left alone.
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
        Down.Report report = Down.run(Settings.fromSystemProperties(), Optional.ofNullable(stage));
        report.lines().forEach(io.out()::println);
        report.problems().forEach(problem -> io.err().println("could not remove: " + problem));
        return report.problems().isEmpty() ? Main.OK : Main.PROBLEMS;
    }
}
