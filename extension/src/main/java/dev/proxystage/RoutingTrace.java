package dev.proxystage;

import java.time.Duration;
import java.util.Optional;

/**
 * Where one request went, from nginx's own record of it: which server block answered, which upstream address it
 * was passed to, and which backend container (of which stage) has that address.
 *
 * @param requestId        the id the stage client tagged the request with
 * @param method           the request method
 * @param url              the URL as the test wrote it
 * @param serverName       the primary {@code server_name} of the server block that answered ("" for none)
 * @param status           the status nginx sent
 * @param upstreamAddress  the address nginx passed the request to (the last one, after retries); empty when nginx
 *                         answered by itself
 * @param backend          the backend that has that address, if it is one of the stage's
 * @param alias            that backend's network alias
 * @param stage            the stage that backend belongs to
 * @param requestTime      nginx's {@code $request_time}
 */
public record RoutingTrace(String requestId, String method, String url, String serverName, int status,
                           Optional<String> upstreamAddress, Optional<String> backend, Optional<String> alias,
                           Optional<String> stage, Duration requestTime) {

    /** True when nginx produced the response itself (return, redirect, error page) without an upstream. */
    public boolean answeredByNginx() {
        return upstreamAddress.isEmpty();
    }

    /** One line: {@code GET https://vw.example.com/ → server vw.example.com → 172.18.0.2:80 = vaultwarden@prep (12 ms)}. */
    @Override
    public String toString() {
        String target = upstreamAddress.map(address -> address + " = "
                        + alias.map(a -> a + "@" + stage.orElse("?")).orElse("not a backend of this stage"))
                .orElse("answered by nginx (" + status + ")");
        return method + " " + url + " → server " + (serverName.isEmpty() ? "\"\"" : serverName) + " → " + target
                + " (" + requestTime.toMillis() + " ms)";
    }
}
