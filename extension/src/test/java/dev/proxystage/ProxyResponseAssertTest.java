package dev.proxystage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** Failure messages of the response assertions, with responses and traces built by hand (no Docker). */
class ProxyResponseAssertTest {

    private static final String URL = "https://app.example.com/";
    private static final String REFUSAL = "{\"identity\":{\"stage\":\"prep\",\"alias\":\"app\",\"backend\":\"app\","
            + "\"hostname\":\"app\"},\"status\":400,\"error\":\"Bad Request\",\"detail\":\"2 Host headers "
            + "(app.example.com, app.example.com); RFC 9112 \u00a73.2 allows one\"}\n";
    private static final RoutingTrace.ServerSource APP_CONF = new RoutingTrace.ServerSource("conf.d/app.conf:1",
            List.of("snippets/proxy.conf"), List.of("snippets/proxy.conf:2: proxy_set_header Host is also set at conf.d/app.conf:6",
                    "conf.d/app.conf:9: upstream 'old' is never used"));

    private static ProxyResponse response(int status, String contentType, String body, Optional<RoutingTrace> trace) {
        return response(status, contentType, body, trace, List.of());
    }

    private static ProxyResponse response(int status, String contentType, String body, Optional<RoutingTrace> trace,
                                          List<String> errors) {
        Headers headers = contentType == null ? Headers.of() : Headers.of("Content-Type", contentType);
        return new ProxyResponse("prep", "GET", URL, status, headers, body, null, Duration.ofMillis(7), () -> trace,
                () -> errors);
    }

    private static final String TIMED_OUT = "2026/12/07 09:45:18 [error] 13#13: *5 upstream timed out (110: Connection"
            + " timed out) while reading response header from upstream, client: 172.20.0.1, server: app.example.com,"
            + " request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:80/\", host: \"app.example.com\"";

    @Test
    void aGatewayTimeoutIsAnsweredByNginxAndNamesWhatNginxLogged() {
        ProxyResponse timeout = response(504, "text/html", "<html>504</html>", Optional.of(
                trace(504, Optional.of("172.18.0.3:80"), Optional.empty(), Optional.of("app"), Optional.of("prep"))),
                List.of(TIMED_OUT));

        assertThat(timeout).hasStatus(504).answeredByNginx().nginxLogged("upstream timed out");
        assertThat(failureOf(() -> assertThat(timeout).nginxLogged("connect() failed")))
                .startsWith("expected nginx to log a line containing 'connect() failed' about GET " + URL)
                .contains("but it logged only:\n  " + TIMED_OUT);
        assertThat(failureOf(() -> assertThat(timeout).hasStatus(200)))
                .contains("\n  nginx itself answered 504: no upstream answered (tried 172.18.0.3:80)")
                .contains("\n  nginx logged: " + TIMED_OUT);
        assertThat(failureOf(() -> assertThat(timeout).hasUpstreamStatus(200)))
                .startsWith("expected the upstream to answer 200 for GET " + URL + " → 504 (7 ms, stage prep), but no"
                        + " upstream answered: GET " + URL);
    }

    @Test
    void anUpstreamsOwnErrorIsNotAnsweredByNginx() {
        ProxyResponse passedOn = response(503, "text/plain", "maintenance", Optional.of(
                trace(503, Optional.of("172.18.0.3:80"), Optional.of(503), Optional.of("app"), Optional.of("prep"))));

        assertThat(passedOn).hasUpstreamStatus(503);
        assertThat(failureOf(() -> assertThat(passedOn).answeredByNginx()))
                .startsWith("expected nginx to answer GET " + URL + " → 503 (7 ms, stage prep) itself, but the upstream"
                        + " answered 503: GET " + URL);
        assertThat(failureOf(() -> assertThat(passedOn).nginxLogged("upstream"))).endsWith("but it logged none");
    }

    private static RoutingTrace trace(int status, Optional<String> upstream, Optional<Integer> upstreamStatus,
                                      Optional<String> alias, Optional<String> stage) {
        return new RoutingTrace("id-1", "GET", URL, "app.example.com", status, upstream, alias, alias, stage,
                Duration.ofMillis(3), upstreamStatus, Optional.of(APP_CONF));
    }

    private static String failureOf(Runnable assertion) {
        return assertThatThrownBy(assertion::run).isInstanceOf(AssertionError.class).actual().getMessage();
    }

    @Test
    void aRefusedRequestExplainsRouteBackendReasonAndTheFindingThatNamesTheHeader() {
        ProxyResponse refused = response(400, "application/json; charset=utf-8", REFUSAL, Optional.of(
                trace(400, Optional.of("172.18.0.3:80"), Optional.of(400), Optional.of("app"), Optional.of("prep"))));

        String message = failureOf(() -> assertThat(refused).hasStatus(200));

        assertThat(message).startsWith("expected status 200 but got 400 for GET " + URL + " → 400 (7 ms, stage prep)")
                .contains("\n  route: GET " + URL + " → server app.example.com (conf.d/app.conf:1, includes "
                        + "snippets/proxy.conf) → 172.18.0.3:80 = app@prep, upstream 400 (3 ms)")
                .contains("\n  the backend answered 400, nginx passed it on: echo backend app@prep refused the request: "
                        + "2 Host headers (app.example.com, app.example.com); RFC 9112 \u00a73.2 allows one")
                .contains("\n  static finding: snippets/proxy.conf:2: proxy_set_header Host is also set at conf.d/app.conf:6")
                .doesNotContain("never used");
    }

    @Test
    void aBadGatewayThatNginxMadeSaysNoUpstreamAnswered() {
        ProxyResponse badGateway = response(502, "text/html", "<html>502 Bad Gateway</html>", Optional.of(
                trace(502, Optional.of("172.18.0.3:80"), Optional.empty(), Optional.of("app"), Optional.of("prep"))));

        String message = failureOf(() -> assertThat(badGateway).hasStatus(200));

        assertThat(message).contains("\n  nginx itself answered 502: no upstream answered (tried 172.18.0.3:80)")
                .contains("172.18.0.3:80 = app@prep, no upstream answer")
                .doesNotContain("the backend answered").doesNotContain("static finding");
    }

    @Test
    void aBadGatewayThatTheBackendMadeSaysNginxPassedItOn() {
        ProxyResponse badGateway = response(502, "text/plain", "upstream of the app is down", Optional.of(
                trace(502, Optional.of("172.18.0.3:80"), Optional.of(502), Optional.of("app"), Optional.of("prep"))));

        assertThat(failureOf(() -> assertThat(badGateway).hasStatus(200)))
                .contains("\n  the backend answered 502, nginx passed it on")
                .doesNotContain("nginx itself");
    }

    @Test
    void aMissedRedirectSaysNginxAnsweredWithoutUpstream() {
        ProxyResponse notFound = response(404, "text/html", "<html>404</html>", Optional.of(
                trace(404, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())));

        String message = failureOf(() -> assertThat(notFound).redirectsTo("https://app.example.com/login"));

        assertThat(message).startsWith("expected a redirect to https://app.example.com/login but got status 404 with "
                        + "Location (none)")
                .contains("\n  route: GET " + URL + " → server app.example.com (conf.d/app.conf:1, includes "
                        + "snippets/proxy.conf) → answered by nginx (404)")
                .contains("\n  nginx itself answered 404: the request was not passed to any upstream");
    }

    @Test
    void aWrongRouteShowsTheTraceOnceAndTheReason() {
        ProxyResponse refused = response(400, "application/json", REFUSAL, Optional.of(
                trace(400, Optional.of("172.18.0.4:80"), Optional.of(400), Optional.of("app"), Optional.of("wip"))));

        String message = failureOf(() -> assertThat(refused).wasRoutedTo("app"));

        assertThat(message).startsWith("expected GET " + URL + " → 400 (7 ms, stage prep) to be routed to app@prep but "
                        + "it went: GET " + URL + " → server app.example.com")
                .contains("172.18.0.4:80 = app@wip")
                .doesNotContain("route:")
                .contains("\n  the backend answered 400, nginx passed it on: echo backend app@prep refused the request");
    }

    @Test
    void withoutTraceTheEchosRefusalStillExplains() {
        ProxyResponse refused = response(400, "application/json", REFUSAL, Optional.empty());

        assertThat(failureOf(() -> assertThat(refused).hasStatus(204)))
                .contains("\n  the backend answered 400, nginx passed it on: echo backend app@prep refused the request: 2 Host headers")
                .doesNotContain("route:");
    }

    @Test
    void aFindingMustNameTheHeaderAsAWord() {
        RoutingTrace.ServerSource source = new RoutingTrace.ServerSource("conf.d/app.conf:1", List.of(),
                List.of("conf.d/app.conf:4: proxy_set_header X-Forwarded-Host is set twice"));
        ProxyResponse refused = response(400, "application/json", REFUSAL, Optional.of(new RoutingTrace("id-1", "GET",
                URL, "app.example.com", 400, Optional.of("172.18.0.3:80"), Optional.of("app"), Optional.of("app"),
                Optional.of("prep"), Duration.ofMillis(3), Optional.of(400), Optional.of(source))));

        assertThat(failureOf(() -> assertThat(refused).hasStatus(200))).doesNotContain("static finding");
    }

    @Test
    void passingAssertionsStaySilentAndASuccessfulAnswerNeedsNoExplanation() {
        ProxyResponse ok = response(200, "text/plain", "fine", Optional.of(
                trace(200, Optional.of("172.18.0.3:80"), Optional.of(200), Optional.of("app"), Optional.of("prep"))));

        assertThat(ok).hasStatus(200).wasRoutedTo("app");
        assertThat(failureOf(() -> assertThat(ok).hasStatus(201)))
                .doesNotContain("the backend answered").doesNotContain("nginx itself")
                .contains("\n  route: ");
        assertThat(ok.echoRefusal()).isEmpty();
    }

    @Test
    void oneOfSeveralBackendsPassesForAnyOfThemAndNamesThemAllWhenNone() {
        ProxyResponse ok = response(200, "text/plain", "fine", Optional.of(
                trace(200, Optional.of("172.18.0.3:80"), Optional.of(200), Optional.of("app"), Optional.of("prep"))));

        assertThat(ok).wasRoutedToOneOf("other", "app");
        assertThat(failureOf(() -> assertThat(ok).wasRoutedToOneOf("s3a", "s3b")))
                .startsWith("expected GET " + URL + " → 200 (7 ms, stage prep) to be routed to one of s3a, s3b@prep but"
                        + " it went: ");
    }
}
