package dev.proxystage.cli;

import dev.proxystage.Settings;
import dev.proxystage.internal.runtime.UpFaults;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code heal}: heals whatever faults are in force on the stage a running {@code up} holds (or on one of its
 * backends), whoever applied them, through {@link UpFaults}: paused containers resume, fault proxies heal,
 * placeholders of moved addresses go and nginx reloads to resolve names again.
 */
@Command(name = "heal", sortOptions = false,
        header = "Heal the faults on the stage a running 'up' holds.",
        description = {
                "Heals every fault in force on the stage that an 'up' on this machine keeps running, or on one backend"
                        + " of it, whoever applied it ('fault', a test attached to the stage, docker pause). Prints"
                        + " what it healed, or 'nothing to heal'.",
                "Exit codes: 0 healed (or nothing to heal), 1 a problem (in one line), 2 usage error."})
final class HealCommand implements Callable<Integer> {

    private final Main.Io io;

    @Option(names = "--stage", paramLabel = "<stage>", description = "The stage of the running 'up' (default: the"
            + " only one running).")
    String stage;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<backend>", description = "Only this backend (default: all).")
    String backend;

    @Mixin
    CommonOptions common;

    HealCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        UpFaults.Report report = UpFaults.heal(Settings.fromSystemProperties(), Main.NAME, Optional.ofNullable(stage),
                Optional.ofNullable(backend));
        if (report.lines().isEmpty()) {
            io.out().println("nothing to heal on stage " + report.stage() + (backend == null ? "" : " (backend " + backend + ")"));
        }
        report.lines().forEach(line -> io.out().println(report.stage() + ": " + line));
        return Main.OK;
    }
}
