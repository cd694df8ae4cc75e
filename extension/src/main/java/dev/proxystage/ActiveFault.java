package dev.proxystage;

/**
 * A fault in force on a backend of a running stage, from {@link StageBackend#fault(Fault)}. Closing it heals the
 * fault; use it in try-with-resources. Whatever a test leaves in force is healed after the test, so the next test
 * starts healthy.
 */
public interface ActiveFault extends AutoCloseable {

    /** The fault. */
    Fault fault();

    /** The backend's name in pipeline.yml. */
    String backend();

    /** Whether it is still in force (not healed yet). */
    boolean isActive();

    /** Heals the fault; a second call does nothing. */
    @Override
    void close();
}
