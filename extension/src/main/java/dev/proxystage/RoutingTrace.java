package dev.proxystage;

import java.time.Duration;
import java.util.List;
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
 * @param upstreamStatus   the status the upstream answered (the last attempt); empty when no upstream answered
 * @param server           where that server block is written, when ProxyStage could tell it from the conf.d
 */
public record RoutingTrace(String requestId, String method, String url, String serverName, int status,
                           Optional<String> upstreamAddress, Optional<String> backend, Optional<String> alias,
                           Optional<String> stage, Duration requestTime, Optional<Integer> upstreamStatus,
                           Optional<ServerSource> server) {

    /** A trace without upstream status or server source. */
    public RoutingTrace(String requestId, String method, String url, String serverName, int status,
                        Optional<String> upstreamAddress, Optional<String> backend, Optional<String> alias,
                        Optional<String> stage, Duration requestTime) {
        this(requestId, method, url, serverName, status, upstreamAddress, backend, alias, stage, requestTime,
                Optional.empty(), Optional.empty());
    }

    /**
     * The server block that answered, as written in the conf.d.
     *
     * @param location      {@code file:line} of its {@code server} directive
     * @param includedFiles the other files whose directives are inside it (its includes, in order)
     * @param findings      the stage's static warnings ({@code file:line: message}) about that file or its includes
     */
    public record ServerSource(String location, List<String> includedFiles, List<String> findings) {

        public ServerSource {
            includedFiles = List.copyOf(includedFiles);
            findings = List.copyOf(findings);
        }

        @Override
        public String toString() {
            return location + (includedFiles.isEmpty() ? "" : ", includes " + String.join(", ", includedFiles));
        }
    }

    /** True when nginx produced the response itself (return, redirect, error page) without an upstream. */
    public boolean answeredByNginx() {
        return upstreamAddress.isEmpty();
    }

    /** True when an upstream answered and nginx passed its answer on. */
    public boolean answeredByUpstream() {
        return upstreamAddress.isPresent() && upstreamStatus.isPresent();
    }

    /**
     * One line: {@code GET https://vw.example.com/ → server vw.example.com (conf.d/vw.conf:1) → 172.18.0.2:80 =
     * vaultwarden@prep, upstream 200 (12 ms)}.
     */
    @Override
    public String toString() {
        String target = upstreamAddress.map(address -> address + " = "
                        + alias.map(a -> a + "@" + stage.orElse("?")).orElse("not a backend of this stage")
                        + upstreamStatus.map(s -> ", upstream " + s).orElse(", no upstream answer"))
                .orElse("answered by nginx (" + status + ")");
        return method + " " + url + " → server " + (serverName.isEmpty() ? "\"\"" : serverName)
                + server.map(s -> " (" + s + ")").orElse("") + " → " + target
                + " (" + requestTime.toMillis() + " ms)";
    }
}
