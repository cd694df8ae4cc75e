package dev.proxystage.internal.engine;

import dev.proxystage.Fault;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.FileContent;
import dev.proxystage.internal.plan.Fingerprint;
import dev.proxystage.internal.plan.StagePlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The container engine behind a stage: the one seam between what is the same everywhere (pipeline.yml, conf.d
 * checks, certificates, the client, traces) and what a particular engine does. Docker implements it; see
 * docs/kubernetes.md for what another engine would.
 */
public interface Engine {

    /**
     * Starts reaching the engine without waiting for it: a run has it sooner, as its configuration is read
     * meanwhile. Never fails; a failure shows when the engine is used.
     */
    default void connectInBackground() {
    }

    /** Removes what runs of this host whose process is gone left behind; returns a line per thing removed. */
    String sweepOrphans();

    /** Brings up the stage {@code plan} describes under {@code runId}; a start that fails removes what it made. */
    StageInternals start(StagePlan plan, String runId);

    /** Starts the stage as {@link #start(StagePlan, String)} does, marked so that other JVMs can attach to it. */
    default StageInternals start(StagePlan plan, String runId, Published published) {
        return start(plan, runId);
    }

    /**
     * The stage {@code plan} describes as a live process of this host published it ({@code up}), when its
     * fingerprint is {@code wanted}; otherwise the one-line reason. Never a stage of another host, never prod.
     * {@code notices} gets a line for each stage record that was not even considered (another user's, a link).
     */
    default Attachment attach(StagePlan plan, Fingerprint wanted, Consumer<String> notices) {
        return Attachment.refused("this engine cannot attach to a running stage");
    }

    /**
     * The stage a live process of this host published as {@code wanted}, found without reading pipeline.yml or
     * conf.d: its recorded inputs are the ones this JVM's load would read. Empty when there is none such; then
     * {@link #attach} decides, the full way, and says why. {@code notices} is as for {@link #attach}.
     */
    default Optional<Recorded> recorded(AttachInputs.Wanted wanted, Consumer<String> notices) {
        return Optional.empty();
    }

    /** Whether the engine answers now; a check that may run nginx asks first, and says so when it does not. */
    default boolean answers() {
        return false;
    }

    /** Where the engine is looked for, for messages. */
    default String address() {
        return "no engine";
    }

    /**
     * {@code nginx -t} for {@code definition} exactly as a stage of it would run nginx, with {@code files} (the
     * plan's generated certificates) placed; {@code config} is ProxyStage's parse of the same files, when it has one.
     * Its container is labelled with {@code runId}.
     */
    default NginxVerdict nginxTest(StageDefinition definition, Map<String, FileContent> files, Optional<NginxConfig> config,
                                   String runId) {
        throw new UnsupportedOperationException("this engine cannot run nginx -t");
    }

    /** Reaches the engine now; fails, saying why, when it does not answer. */
    default void connect() {
    }

    /** The address published ports are reached on from this machine. */
    default String publishedHost() {
        return "127.0.0.1";
    }

    /** The runs of {@code stage} (every stage when empty) whose JVM is alive on this machine, other than this JVM's. */
    default List<LiveRun> liveRuns(Optional<String> stage) {
        return List.of();
    }

    /**
     * Removes what runs of {@code stage} (every stage when empty) left on the engine, except those of live JVMs and
     * of other machines, and then the orphans of any stage: {@code down}.
     */
    default Cleanup sweepStage(Optional<String> stage) {
        return Cleanup.empty();
    }

    /** Removes everything of run {@code runId}; one line saying what, empty when there was nothing. */
    default String sweepRun(String runId) {
        return "";
    }

    /** How container {@code name} stopped ({@code exited with code 1}, {@code was removed}); empty while it runs. */
    default Optional<String> stopped(String name) {
        return Optional.empty();
    }

    /** Whether the engine has a volume named {@code name}. */
    default boolean volumeExists(String name) {
        return false;
    }

    /**
     * Applies {@code fault} to backend {@code backend} of {@code run} (a live {@code up}'s stage), found on the engine
     * by the run's labels; it stays in force until healed. One line per thing it did.
     */
    default List<String> applyFault(LiveRun run, String backend, Fault fault) {
        throw new ProxyStageException("the engine " + address() + " cannot apply faults");
    }

    /**
     * Heals whatever faults are in force on backend {@code backend} (every backend when empty) of {@code run},
     * whoever applied them, as found on the engine. One line per thing healed; none when nothing was in force.
     */
    default List<String> healFaults(LiveRun run, Optional<String> backend) {
        throw new ProxyStageException("the engine " + address() + " cannot heal faults");
    }

    /**
     * Follows the faults of run {@code runId} on its stage network {@code network}, whoever applies them: each line
     * to {@code sink} with its source. Close the handle to stop.
     */
    default AutoCloseable followFaults(String runId, String network, BiConsumer<String, String> sink) {
        return () -> { };
    }
}
