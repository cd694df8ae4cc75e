package dev.proxystage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A running stage: its isolated network, its backends under their shared aliases, and nginx with the real conf.d.
 * Injected into tests of a {@link PipelineStage} class, or returned by {@link ProxyStage}.
 *
 * <p>{@link #close()} takes the stage down (nginx, backends, network, volumes). Close only stages you started with
 * {@link ProxyStage}: an injected stage belongs to the test run, which closes it when the run ends.
 */
public interface Stage extends AutoCloseable {

    /** The stage's name, e.g. {@code prep}. */
    String name();

    /** The id of this run; it is part of every container, network and volume name. */
    String runId();

    /** The stage's Docker network, e.g. {@code nginx-rp-network-prep-1a2b3c4d}. */
    String networkName();

    /** The backends, in the order pipeline.yml declares them. */
    List<StageBackend> backends();

    /** The backend declared under {@code name}, if the stage has it. */
    Optional<StageBackend> backend(String name);

    /** The nginx under test. */
    StageNginx nginx();

    /** A client whose requests go to this stage's nginx, whatever host and port the URL names. */
    StageClient client();

    /** The run's test CA certificate (PEM): what to trust when reaching the stage with other tools. */
    Path caCertificatePem();

    /** The host file of the stage's conf.d directory. */
    Path confDir();

    /**
     * Proves from inside this stage's nginx container that {@code other}'s backends can be neither resolved (by
     * their container names) nor reached (by their addresses), and that each shared alias resolves to this stage's
     * own backend. Throws an {@link AssertionError} naming every leak.
     */
    void assertIsolatedFrom(Stage other);

    /**
     * Heals every fault applied through this stage's backends ({@link StageBackend#fault}) that is still in force.
     * The JUnit extension calls it after each test, so the next test starts healthy.
     */
    void healFaults();

    /** Takes the stage down; a second call does nothing. */
    @Override
    void close();
}
