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
 * @param attempts         every upstream nginx tried, in order ({@code proxy_next_upstream}), the last one last;
 *                         empty when nginx passed the request to none
 */
public record RoutingTrace(String requestId, String method, String url, String serverName, int status,
                           Optional<String> upstreamAddress, Optional<String> backend, Optional<String> alias,
                           Optional<String> stage, Duration requestTime, Optional<Integer> upstreamStatus,
                           Optional<ServerSource> server, List<Attempt> attempts) {

    public RoutingTrace {
        attempts = List.copyOf(attempts);
    }

    /** A trace whose only attempt, if any, is the one its upstream fields describe (no timings). */
    public RoutingTrace(String requestId, String method, String url, String serverName, int status,
                        Optional<String> upstreamAddress, Optional<String> backend, Optional<String> alias,
                        Optional<String> stage, Duration requestTime, Optional<Integer> upstreamStatus,
                        Optional<ServerSource> server) {
        this(requestId, method, url, serverName, status, upstreamAddress, backend, alias, stage, requestTime,
                upstreamStatus, server, upstreamAddress.map(address -> List.of(new Attempt(address, alias, upstreamStatus,
                        Optional.empty(), Optional.empty(), Optional.empty()))).orElse(List.of()));
    }

    /**
     * One upstream nginx tried for the request, from its {@code $upstream_*} variables.
     *
     * @param address      the address nginx connected to (or tried to)
     * @param alias        the alias of the stage's backend that has that address, if one has
     * @param status       what the upstream answered; empty when it did not (refused, reset, timed out: nginx then
     *                     records 502 or 504 of its own, which is not the upstream's answer)
     * @param connectTime  how long connecting took ({@code $upstream_connect_time}), when it connected
     * @param headerTime   until the answer's header had arrived ({@code $upstream_header_time}), when it did
     * @param responseTime until the answer was done or given up on ({@code $upstream_response_time})
     */
    public record Attempt(String address, Optional<String> alias, Optional<Integer> status, Optional<Duration> connectTime,
                          Optional<Duration> headerTime, Optional<Duration> responseTime) {

        @Override
        public String toString() {
            return address + alias.map(a -> " = " + a).orElse("") + status.map(s -> " (" + s + ")").orElse(" (no answer)");
        }
    }

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

    /** How long connecting to the last upstream took, when nginx connected. */
    public Optional<Duration> upstreamConnectTime() {
        return last().flatMap(Attempt::connectTime);
    }

    /** How long until the last upstream's answer header had arrived, when it did. */
    public Optional<Duration> upstreamHeaderTime() {
        return last().flatMap(Attempt::headerTime);
    }

    /** How long the last upstream took until its answer was done or given up on. */
    public Optional<Duration> upstreamResponseTime() {
        return last().flatMap(Attempt::responseTime);
    }

    private Optional<Attempt> last() {
        return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
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
        String tried = attempts.size() < 2 ? "" : "tried " + String.join(", ", attempts.subList(0, attempts.size() - 1)
                .stream().map(Attempt::toString).toList()) + ", then ";
        return method + " " + url + " → server " + (serverName.isEmpty() ? "\"\"" : serverName)
                + server.map(s -> " (" + s + ")").orElse("") + " → " + tried + target
                + " (" + requestTime.toMillis() + " ms)";
    }
}
