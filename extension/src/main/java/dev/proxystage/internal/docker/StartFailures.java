package dev.proxystage.internal.docker;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.NginxConfig;
import java.util.function.UnaryOperator;

/** Turns what goes wrong during a start into one line a user can act on. */
final class StartFailures {


    private StartFailures() {
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
