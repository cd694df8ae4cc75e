package dev.proxystage;

import java.time.Duration;
import java.util.Optional;

/** The stage side of request tracing: the client reports what it sent and asks where it went. */
public interface RoutingTraces {

    /** The client is about to send a request tagged with {@code requestId}. */
    void sent(String requestId, String method, String url);

    /** As {@link #sent(String, String, String)}, with the headers the test set (name to value, several joined by ", "). */
    default void sent(String requestId, String method, String url, java.util.Map<String, String> headers) {
        sent(requestId, method, url);
    }

    /** Where the request went, waiting up to {@code wait} for nginx's record of it. */
    Optional<RoutingTrace> await(String requestId, Duration wait);

    /**
     * The lines nginx's error log has about the request (its request line and host), from when it was sent; empty
     * where the stage cannot tell.
     */
    default java.util.List<String> errorLines(String requestId) {
        return java.util.List.of();
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
