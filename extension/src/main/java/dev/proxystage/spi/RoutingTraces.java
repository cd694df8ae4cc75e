package dev.proxystage.spi;

import dev.proxystage.RoutingTrace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stage side of request tracing, which the runtime implements: {@link dev.proxystage.StageClient} reports what
 * it sent and asks where it went. Not for users: they read {@link dev.proxystage.ProxyResponse#trace()}.
 */
public interface RoutingTraces {

    /** The client is about to send a request tagged with {@code requestId}. */
    void sent(String requestId, String method, String url);

    /** As {@link #sent(String, String, String)}, with the headers the test set (name to value, several joined by ", "). */
    default void sent(String requestId, String method, String url, Map<String, String> headers) {
        sent(requestId, method, url);
    }

    /** Where the request went, waiting up to {@code wait} for nginx's record of it. */
    Optional<RoutingTrace> await(String requestId, Duration wait);

    /**
     * The lines nginx's error log has about the request (its request line and host), from when it was sent; empty
     * where the stage cannot tell.
     */
    default List<String> errorLines(String requestId) {
        return List.of();
    }

    /** No tracing: every lookup is empty. */
    RoutingTraces NONE = new RoutingTraces() {
        @Override
        public void sent(String requestId, String method, String url) {
        }

        @Override
        public Optional<RoutingTrace> await(String requestId, Duration wait) {
            return Optional.empty();
        }
    };
}
