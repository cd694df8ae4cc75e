package dev.proxystage.internal.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.proxystage.ProxyStageException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A readiness check that polls every few milliseconds (Testcontainers' stock strategies poll about once a second)
 * and fails within half a second, with the container's exit code and last log lines, when the container exits.
 */
abstract class PollingWait {

    private static final long POLL_MILLIS = 50;
    // Asking the engine whether the container still runs costs it an inspect; with hundreds of backends waiting
    // at once, doing that every poll would flood it, so it is asked at most twice a second.
    private static final long STATE_MILLIS = 500;
    static final int LOG_LINES = 50;

    private final String subject;
    /** The container being waited for, during {@link #waitUntilReady}. */
    protected StageContainer container;

    PollingWait(String subject) {
        this.subject = subject;
    }

    /** One attempt; true once ready. Exceptions count as "not yet". */
    abstract boolean probe() throws Exception;

    /** What "ready" means, for the timeout message. */
    abstract String readiness();

    /** Polls until {@link #probe} says ready; fails when {@code container} exits or {@code timeout} passes. */
    void waitUntilReady(StageContainer container, Duration timeout) {
        this.container = container;
        Duration startupTimeout = timeout;
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        String lastProblem = "no answer yet";
        long nextState = System.nanoTime();
        while (true) {
            try {
                if (probe()) {
                    return;
                }
            } catch (Exception e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (System.nanoTime() - nextState >= 0) {
                InspectContainerResponse.ContainerState state = container.state();
                if (!Boolean.TRUE.equals(state.getRunning())) {
                    throw new ProxyStageException(subject + " exited with code " + state.getExitCodeLong()
                            + " before " + readiness() + logTail());
                }
                nextState = System.nanoTime() + STATE_MILLIS * 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                throw new ProxyStageException(subject + " did not become ready (" + readiness() + ") within "
                        + startupTimeout.toSeconds() + " s; last attempt: " + lastProblem + logTail());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProxyStageException(subject + ": interrupted while waiting for " + readiness());
            }
        }
    }

    int mappedPort(int containerPort) {
        return container.mappedPort(containerPort);
    }

    private String logTail() {
        return formatTail(subject, container.logs());
    }

    static String formatTail(String subject, String logs) {
        List<String> lines = Arrays.asList(logs.split("\\R"));
        List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
        if (tail.isEmpty() || (tail.size() == 1 && tail.get(0).isBlank())) {
            return "; it logged nothing";
        }
        return "; last log lines of " + subject + ":\n  " + String.join("\n  ", tail);
    }
}
