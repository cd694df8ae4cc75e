package dev.proxystage.cli;

import dev.proxystage.Fault;
import dev.proxystage.Settings;
import dev.proxystage.internal.runtime.UpFaults;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fault}: breaks a backend of the stage a running {@code up} holds, from another terminal, while a person
 * watches {@code up}'s log (which shows when the fault starts and ends beside nginx's lines), through {@link UpFaults}.
 * The fault stays until {@code heal}, or until the {@code up} stops.
 */
@Command(name = "fault", sortOptions = false,
        header = "Break a backend of the stage a running 'up' holds.",
        description = {
                "Applies a fault to a backend of the stage that an 'up' on this machine keeps running; up's log shows"
                        + " when it starts and ends. It stays until 'heal' (or until up stops).",
                "Faults: " + UpFaults.USAGE + ". hang and restartWithNewAddress work on any backend; the others need"
                        + " the fault proxy in its path (faults: true on the backend in pipeline.yml, or"
                        + " -Dproxystage.faults=true for up).",
                "Exit codes: 0 applied, 1 it could not be (the cause in one line), 2 usage error."},
        footer = {"", "Examples:", "  fault --stage prep vaultwarden hang", "  fault --stage prep vaultwarden slow 1500ms",
                "  fault --stage prep vaultwarden flaky 25%%", "  heal --stage prep"})
final class FaultCommand implements Callable<Integer> {

    private final Main.Io io;

    @Option(names = "--stage", paramLabel = "<stage>", description = "The stage of the running 'up' (default: the"
            + " only one running).")
    String stage;

    @Parameters(index = "0", paramLabel = "<backend>", description = "The backend, by its name in pipeline.yml.")
    String backend;

    @Parameters(index = "1", paramLabel = "<fault>", description = "One of: " + UpFaults.USAGE + ".")
    String kind;

    @Parameters(index = "2", arity = "0..1", paramLabel = "<value>", description = "The fault's value, for those that take one.")
    String value;

    @Mixin
    CommonOptions common;

    FaultCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Fault fault;
        try {
            fault = UpFaults.parse(kind, Optional.ofNullable(value));
        } catch (IllegalArgumentException e) {
            io.err().println("fault: " + e.getMessage());
            return Main.USAGE;
        }
        UpFaults.Report report = UpFaults.fault(Settings.fromSystemProperties(), Main.NAME, Optional.ofNullable(stage),
                backend, fault);
        report.lines().forEach(io.out()::println);
        io.out().println("heal it with: " + Main.NAME + " heal --stage " + report.stage() + " " + backend);
        return Main.OK;
    }
}
