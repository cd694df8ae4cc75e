package dev.proxystage.internal.logs;

import java.util.Map;

/** Told of each request the stage client sends and of each trace nginx writes for one, by request id. */
public interface TraceListener {

    /** The client is about to send the request; {@code headers} are the ones the test set, by name. */
    void sent(String requestId, String method, String url, Map<String, String> headers);

    /** nginx's trace of a request arrived: the answering server block's first name and the port. */
    void traced(String requestId, String serverName, int port);

    TraceListener NONE = new TraceListener() {
        @Override
        public void sent(String requestId, String method, String url, Map<String, String> headers) {
        }

        @Override
        public void traced(String requestId, String serverName, int port) {
        }
    };
}
