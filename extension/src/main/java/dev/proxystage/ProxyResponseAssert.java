package dev.proxystage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link ProxyResponse}. Failure messages always show the request, its stage and the answer; those of
 * {@link #hasStatus}, {@link #redirectsTo} and {@link #wasRoutedTo} also explain the answer: the route as nginx saw
 * it, who produced the answer, the echo backend's reason for refusing the request, and a static finding about the
 * answering server block's files that names the header concerned.
 */
public final class ProxyResponseAssert extends AbstractAssert<ProxyResponseAssert, ProxyResponse> {

    private static final int BODY_PREVIEW = 300;
    // The headers the echo backend refuses requests over; a finding naming one of them is likely the cause.
    private static final List<String> FRAMING_HEADERS = List.of("Host", "Content-Length", "Transfer-Encoding");

    ProxyResponseAssert(ProxyResponse actual) {
        super(actual, ProxyResponseAssert.class);
    }

    public ProxyResponseAssert hasStatus(int expected) {
        isNotNull();
        if (actual.status() != expected) {
            failWithMessage("expected status %d but got %d for %s%s%s", expected, actual.status(), actual, preview(),
                    explanation(true));
        }
        return this;
    }

    /** The response carries header {@code name} with exactly {@code value}. */
    public ProxyResponseAssert hasHeader(String name, String value) {
        isNotNull();
        var values = actual.headers().values(name);
        if (!values.contains(value)) {
            failWithMessage("expected response header %s: %s but it had %s for %s", name, value,
                    values.isEmpty() ? "none" : values, actual);
        }
        return this;
    }

    /** The response is a redirect (3xx) whose Location is exactly {@code location}. */
    public ProxyResponseAssert redirectsTo(String location) {
        isNotNull();
        String actualLocation = actual.header("Location").orElse(null);
        if (actual.status() < 300 || actual.status() > 399 || !Objects.equals(location, actualLocation)) {
            failWithMessage("expected a redirect to %s but got status %d with Location %s for %s%s", location,
                    actual.status(), actualLocation == null ? "(none)" : actualLocation, actual, explanation(true));
        }
        return this;
    }

    /** The body contains {@code text}. */
    public ProxyResponseAssert hasBodyContaining(String text) {
        isNotNull();
        if (!actual.body().contains(text)) {
            failWithMessage("expected the body to contain %s for %s%s", text, actual, preview());
        }
        return this;
    }

    /**
     * The request was passed to the backend with network alias {@code alias} of the SAME stage that sent it: a
     * request of the wip stage that reached prep's backend fails. Uses nginx's routing trace, so it works with any
     * backend image; where there is no trace (a server with its own access_log) an echo backend's report decides.
     */
    public ProxyResponseAssert wasRoutedTo(String alias) {
        return routedTo(List.of(alias), alias);
    }

    /**
     * The request reached one of {@code aliases} in the response's stage: the servers of an upstream block, of
     * which nginx's balancing picks one.
     */
    public ProxyResponseAssert wasRoutedToOneOf(String... aliases) {
        if (aliases.length == 0) {
            throw new IllegalArgumentException("name at least one backend");
        }
        return routedTo(List.of(aliases), aliases.length == 1 ? aliases[0] : "one of " + String.join(", ", aliases));
    }

    private ProxyResponseAssert routedTo(List<String> aliases, String said) {
        isNotNull();
        Optional<RoutingTrace> trace = actual.trace();
        if (trace.isPresent()) {
            RoutingTrace t = trace.get();
            if (t.alias().filter(aliases::contains).isEmpty() || !t.stage().equals(Optional.of(actual.stage()))) {
                failWithMessage("expected %s to be routed to %s@%s but it went: %s%s", actual, said, actual.stage(), t,
                        explanation(false));
            }
            return this;
        }
        EchoReport echo = actual.echo().orElse(null);
        if (echo == null) {
            failWithMessage("expected %s to be routed to backend '%s' of stage '%s', but nginx left no routing trace "
                    + "and no echo backend answered%s%s", actual, said, actual.stage(), preview(), explanation(false));
            return this;
        }
        EchoReport.Identity who = echo.identity();
        if (!aliases.contains(who.alias()) || !actual.stage().equals(who.stage())) {
            failWithMessage("expected %s to be routed to %s@%s but %s@%s (container %s) answered", actual, said,
                    actual.stage(), who.alias(), who.stage(), who.hostname());
        }
        return this;
    }

    /**
     * nginx made the answer itself: no upstream answered, either because the request was passed to none, or because
     * the upstream refused, reset or timed out (a 502 or 504 of nginx's own). The routing trace decides; its line is
     * in the failure message, with nginx's error-log lines about the request.
     */
    public ProxyResponseAssert answeredByNginx() {
        isNotNull();
        RoutingTrace trace = requireTrace();
        if (trace.upstreamStatus().isPresent()) {
            failWithMessage("expected nginx to answer %s itself, but the upstream answered %d: %s", actual,
                    trace.upstreamStatus().orElseThrow(), trace);
        }
        return this;
    }

    /** The (last) upstream answered with {@code expected}, which nginx passed on or acted on; from the routing trace. */
    public ProxyResponseAssert hasUpstreamStatus(int expected) {
        isNotNull();
        RoutingTrace trace = requireTrace();
        if (!trace.upstreamStatus().equals(Optional.of(expected))) {
            failWithMessage("expected the upstream to answer %d for %s, but %s: %s%s", expected, actual,
                    trace.upstreamStatus().map(s -> "it answered " + s).orElse("no upstream answered"), trace,
                    errorLines());
        }
        return this;
    }

    /** One of nginx's error-log lines about this request contains {@code text}, e.g. {@code upstream timed out}. */
    public ProxyResponseAssert nginxLogged(String text) {
        isNotNull();
        List<String> lines = actual.nginxErrors();
        if (lines.stream().noneMatch(line -> line.contains(text))) {
            failWithMessage("expected nginx to log a line containing '%s' about %s, but it logged %s", text, actual,
                    lines.isEmpty() ? "none" : "only:\n  " + String.join("\n  ", lines));
        }
        return this;
    }

    /** nginx produced the response itself (return, redirect, error page): no upstream was involved. */
    public ProxyResponseAssert wasAnsweredByNginx() {
        isNotNull();
        RoutingTrace trace = requireTrace();
        if (!trace.answeredByNginx()) {
            failWithMessage("expected nginx to answer %s itself, but it went: %s", actual, trace);
        }
        return this;
    }

    /** Assertions on which server block answered, from nginx's routing trace. */
    public ServedBy servedBy() {
        isNotNull();
        return new ServedBy(requireTrace());
    }

    /** Which server block answered a request. */
    public final class ServedBy {

        private final RoutingTrace trace;

        private ServedBy(RoutingTrace trace) {
            this.trace = trace;
        }

        /** The answering server block's primary {@code server_name} is {@code name}. */
        public ProxyResponseAssert serverName(String name) {
            if (!trace.serverName().equals(name)) {
                failWithMessage("expected %s to be served by server %s but it went: %s", actual, name, trace);
            }
            return ProxyResponseAssert.this;
        }
    }

    private RoutingTrace requireTrace() {
        Optional<RoutingTrace> trace = actual.trace();
        if (trace.isEmpty()) {
            failWithMessage("nginx left no routing trace for %s (does its server block declare its own access_log?)", actual);
        }
        return trace.orElseThrow();
    }

    /** Assertions on the certificate nginx presented. Fails for a plain-HTTP response. */
    public CertificateAssert servedCertificate() {
        isNotNull();
        if (actual.servedCertificate().isEmpty()) {
            failWithMessage("expected %s to be served over TLS, but no certificate was presented", actual);
        }
        return new CertificateAssert(actual.servedCertificate().orElseThrow());
    }

    /** Assertions on what the echo backend received. Fails if no echo backend answered. */
    public EchoReportAssert backendSaw() {
        isNotNull();
        if (actual.echo().isEmpty()) {
            failWithMessage("expected an echo backend to answer %s, but it did not%s", actual, preview());
        }
        return new EchoReportAssert(actual.echo().orElseThrow());
    }

    /**
     * Further lines for a failure message: the route, who made the answer, the echo's reason, matching findings.
     * Empty when there is nothing to add.
     */
    String explanation(boolean withRoute) {
        List<String> lines = new ArrayList<>();
        Optional<RoutingTrace> trace = actual.trace();
        Optional<EchoReport.Refusal> refusal = actual.echoRefusal();
        int status = actual.status();
        if (trace.isPresent()) {
            RoutingTrace t = trace.get();
            if (withRoute) {
                lines.add("route: " + t);
            }
            if (t.answeredByUpstream()) {
                if (status >= 400) {
                    lines.add("the backend answered " + t.upstreamStatus().orElseThrow() + ", nginx passed it on"
                            + refusal.map(r -> ": " + r).orElse(""));
                }
            } else if (t.upstreamAddress().isPresent()) {
                lines.add("nginx itself answered " + status + ": no upstream answered (tried "
                        + t.upstreamAddress().orElseThrow() + ")");
                actual.nginxErrors().stream().limit(3).forEach(line -> lines.add("nginx logged: " + line));
            } else if (status >= 400) {
                lines.add("nginx itself answered " + status + ": the request was not passed to any upstream");
            }
        } else {
            refusal.ifPresent(r -> lines.add("the backend answered " + r.status() + ", nginx passed it on: " + r));
        }
        refusal.ifPresent(r -> findingsFor(r, trace).forEach(f -> lines.add("static finding: " + f)));
        return lines.isEmpty() ? "" : "\n  " + String.join("\n  ", lines);
    }

    /** The warnings about the answering server block's files that name a header the echo's reason names. */
    private static List<String> findingsFor(EchoReport.Refusal refusal, Optional<RoutingTrace> trace) {
        List<String> headers = FRAMING_HEADERS.stream().filter(h -> refusal.detail().contains(h)).toList();
        return trace.flatMap(RoutingTrace::server).map(RoutingTrace.ServerSource::findings).orElse(List.of()).stream()
                .filter(f -> headers.stream().anyMatch(h -> mentions(f, h)))
                .toList();
    }

    /** {@code text} names header {@code name} as a whole word, in any case. */
    private static boolean mentions(String text, String name) {
        String lower = text.toLowerCase(Locale.ROOT);
        String wanted = name.toLowerCase(Locale.ROOT);
        for (int at = lower.indexOf(wanted); at >= 0; at = lower.indexOf(wanted, at + 1)) {
            boolean startsWord = at == 0 || !isNameChar(lower.charAt(at - 1));
            int end = at + wanted.length();
            if (startsWord && (end == lower.length() || !isNameChar(lower.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '_';
    }

    private String errorLines() {
        List<String> lines = actual.nginxErrors();
        return lines.isEmpty() ? "" : "\n  nginx logged: " + String.join("\n  nginx logged: ", lines);
    }

    private String preview() {
        String body = actual.body().replaceAll("\\s+", " ").strip();
        if (body.isEmpty()) {
            return "";
        }
        return "; body: " + (body.length() > BODY_PREVIEW ? body.substring(0, BODY_PREVIEW) + "…" : body);
    }
}
