package dev.proxystage.internal.probes;

import dev.proxystage.EchoReport;
import dev.proxystage.ProxyResponse;
import java.util.Optional;

/**
 * One probe request and what came back: a response, or the reason there was none (nginx closed the connection,
 * e.g. {@code return 444}, or refused the handshake).
 *
 * @param request  the request in words: method, URL, and a Host header that differs from the URL's
 * @param response the response, if there was one
 * @param failure  why there was no response
 */
record Exchange(String request, Optional<ProxyResponse> response, Optional<String> failure) {

    boolean answered() {
        return response.isPresent();
    }

    /** The status, or -1 without a response. */
    int status() {
        return response.map(ProxyResponse::status).orElse(-1);
    }

    Optional<EchoReport> echo() {
        return response.flatMap(ProxyResponse::echo);
    }

    Optional<String> header(String name) {
        return response.flatMap(r -> r.header(name));
    }

    String body() {
        return response.map(ProxyResponse::body).orElse("");
    }

    /**
     * What came back, in words: {@code 200 from backend 'vaultwarden'} when ProxyStage's echo backend answered, else
     * the status alone (nginx or another backend), or {@code no response (...)}.
     */
    String outcome() {
        if (response.isEmpty()) {
            return "no response (" + failure.orElse("?") + ")";
        }
        return status() + echo().map(e -> " from backend '" + e.identity().alias() + "'")
                .or(() -> response.flatMap(ProxyResponse::echoRefusal).map(r -> " from backend '" + r.identity().alias() + "'"))
                .orElse("");
    }
}
