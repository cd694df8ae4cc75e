package dev.proxystage.cli;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.DockerEngine;
import dev.proxystage.internal.docker.StageFaults;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code heal}: heals whatever faults are in force on the stage a running {@code up} holds (or on one of its
 * backends), whoever applied them: paused containers resume, fault proxies heal, placeholders of moved addresses go
 * and nginx reloads to resolve names again.
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
        DockerClient docker = DockerEngine.client();
        StageOwners.LiveRun up = StageOwners.runningUp(docker, Optional.ofNullable(stage));
        List<String> healed = new StageFaults(() -> docker, up.runId(), up.stage(), line -> { },
                (b, alias, address, itself) -> { }).healEverything(Optional.ofNullable(backend));
        if (healed.isEmpty()) {
            io.out().println("nothing to heal on stage " + up.stage() + (backend == null ? "" : " (backend " + backend + ")"));
        }
        healed.forEach(line -> io.out().println(up.stage() + ": " + line));
        return Main.OK;
    }
}
