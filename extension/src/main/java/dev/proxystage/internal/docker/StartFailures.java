package dev.proxystage.internal.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.NginxConfig;
import java.util.function.UnaryOperator;
import org.testcontainers.containers.GenericContainer;

/** Turns what goes wrong during a start into one line a user can act on. */
final class StartFailures {


    private StartFailures() {
    }

    /**
     * Starts {@code container}; when that fails for a reason of the container's own (it exited before our wait
     * even began, so Testcontainers only says "startup failed"), the failure names its exit code and last lines.
     */
    static void startExplained(GenericContainer<?> container, String subject, String readiness) {
        try {
            container.start();
        } catch (RuntimeException e) {
            ProxyStageException known = firstKnown(e);
            if (known != null) {
                throw known;
            }
            String id = container.getContainerId();
            if (id != null) {
                try {
                    var state = container.getDockerClient().inspectContainerCmd(id).exec().getState();
                    if (!Boolean.TRUE.equals(state.getRunning())) {
                        throw new ProxyStageException(subject + " exited with code " + state.getExitCodeLong()
                                + " before " + readiness + PollingWait.formatTail(subject, container.getLogs()));
                    }
                } catch (NotFoundException gone) {
                    // removed already: nothing more to tell than the original failure
                }
            }
            throw e;
        }
    }

    /** nginx names container paths ({@code /etc/nginx/conf.d/app.conf:7}); users edit host files. */
    static String toHostPaths(NginxConfig config, String message) {
        return NginxOutput.toHostPaths(message, config::hostPathOf);
    }

    static ProxyStageException firstKnown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProxyStageException known) {
                return known;
            }
        }
        return null;
    }

    /** The failure as the user sees it: our own one-liner (secrets masked), or one naming the stage. */
    static RuntimeException userFacing(String stage, Throwable failure, UnaryOperator<String> mask) {
        ProxyStageException known = firstKnown(failure);
        if (known != null) {
            String message = mask.apply(known.getMessage());
            return message.equals(known.getMessage()) ? known : new ProxyStageException(message);
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new ProxyStageException("stage '" + stage + "' failed to start: " + mask.apply(String.valueOf(failure)), failure);
    }
}
