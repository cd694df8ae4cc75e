package dev.proxystage.internal.routes;

import dev.proxystage.ActiveFault;
import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStageException;
import dev.proxystage.StageBackend;
import dev.proxystage.ProxyResponseAssert;
import dev.proxystage.spi.RouteChecks;
import dev.proxystage.RoutingTrace;
import dev.proxystage.Stage;
import dev.proxystage.StageWebSocket;
import dev.proxystage.internal.config.RouteTableFile;
import dev.proxystage.internal.config.RouteTableLoader;
import dev.proxystage.internal.report.RouteAnswer;
import dev.proxystage.internal.report.RunEvidence;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/** Runs a route table's expectations against a stage through its client: the same checks as the assertions. */
public final class TableRouteChecks implements RouteChecks {

    private static final Duration WEBSOCKET_OPEN = Duration.ofSeconds(10);
    // OkHttp refuses these without a body
    private static final Set<String> NEEDS_BODY = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

    @Override
    public List<RouteCheck> load(Path table, String stage) {
        return checks(RouteTableLoader.load(table), stage);
    }

    /** One check per route that {@code stage} does not skip. */
    public static List<RouteCheck> checks(RouteTableFile table, String stage) {
        return table.routes().stream()
                .flatMap(route -> route.expectIn(stage).map(expect -> new RouteCheck(route.name(), s -> check(s, route, expect))).stream())
                .toList();
    }

    /**
     * Sends the route's request through {@code stage}, with the route's fault in force (healed afterwards, also when
     * the check fails); an {@link AssertionError} says what differed. How the route answered goes to the run's
     * evidence (the matrix across stages), passed or failed.
     */
    public static void check(Stage stage, RouteTableFile.Route route, RouteTableFile.Expect expect) {
        Optional<RunEvidence> evidence = RunEvidence.of(stage);
        if (evidence.isEmpty()) {
            run(stage, route, expect, new ProxyResponse[1]);
            return;
        }
        ProxyResponse[] answered = new ProxyResponse[1];
        try {
            run(stage, route, expect, answered);
        } catch (AssertionError | RuntimeException failure) {
            record(evidence.get(), stage, route, expect, answered[0], failure);
            throw failure;
        }
        record(evidence.get(), stage, route, expect, answered[0], null);
    }

    private static void record(RunEvidence evidence, Stage stage, RouteTableFile.Route route, RouteTableFile.Expect expect,
                               ProxyResponse response, Throwable failure) {
        route.differs().forEach((s, why) -> evidence.differs(route.location(), s, why));
        String message = failure == null ? "" : String.valueOf(failure.getMessage());
        String table = route.location().replaceFirst(":\\d+:\\d+$", "");
        if (response == null) {
            String outcome = expect.websocket() && failure == null ? "websocket open"
                    : failure == null ? "no answer" : "no answer: " + message.lines().findFirst().orElse("");
            evidence.answer(new RouteAnswer(table, route.location(), route.name(), stage.name(), failure == null, message,
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), outcome, ""));
            return;
        }
        Optional<RoutingTrace> trace = response.trace();
        evidence.answer(new RouteAnswer(table, route.location(), route.name(), stage.name(), failure == null, message,
                Optional.of(response.status()), trace.flatMap(RoutingTrace::backend), trace.flatMap(RoutingTrace::stage),
                trace.flatMap(RoutingTrace::upstreamStatus), trace.isPresent() ? "" : "no trace", trace.map(RoutingTrace::toString).orElse("")));
    }

    private static void run(Stage stage, RouteTableFile.Route route, RouteTableFile.Expect expect, ProxyResponse[] answered) {
        if (route.fault().isEmpty()) {
            runHealthy(stage, route, expect, answered);
            return;
        }
        RouteTableFile.RouteFault fault = route.fault().get();
        StageBackend backend = stage.backend(fault.backend()).orElseThrow(() -> new ProxyStageException(fault.location()
                + ": route '" + route.name() + "': fault.backend '" + fault.backend() + "' is not a backend of stage "
                + stage.name() + " (backends: " + String.join(", ", stage.backends().stream().map(StageBackend::name).toList()) + ")"));
        ActiveFault active;
        try {
            active = backend.fault(fault.fault());
        } catch (ProxyStageException e) {
            throw new ProxyStageException(fault.location() + ": route '" + route.name() + "': " + e.getMessage());
        }
        try (active) {
            runHealthy(stage, route, expect, answered);
        }
    }

    private static void runHealthy(Stage stage, RouteTableFile.Route route, RouteTableFile.Expect expect,
                                   ProxyResponse[] answered) {
        RouteTableFile.Request request = route.request();
        if (expect.websocket()) {
            String url = request.url().replaceFirst("^(?i)http", "ws");
            try (StageWebSocket socket = stage.client().openWebSocket(url)) {
                socket.awaitOpen(WEBSOCKET_OPEN);
            }
            return;
        }
        ProxyResponse response = stage.client().send(toOkHttp(request));
        answered[0] = response;
        ProxyResponseAssert that = response.assertThat();
        expect.status().ifPresent(that::hasStatus);
        expect.redirect().ifPresent(that::redirectsTo);
        expect.headers().forEach((name, value) -> header(response, name, value));
        if (expect.backends().size() == 1) {
            that.wasRoutedTo(expect.backends().get(0));
        } else if (expect.backends().size() > 1) {
            that.wasRoutedToOneOf(expect.backends().toArray(String[]::new));
        }
        if (!expect.forwardedHeaders().isEmpty()) {
            var saw = that.backendSaw();
            expect.forwardedHeaders().forEach(saw::hasHeader);
        }
    }

    private static void header(ProxyResponse response, String name, String expected) {
        if (!expected.startsWith("~")) {
            response.assertThat().hasHeader(name, expected);
            return;
        }
        Pattern pattern = Pattern.compile(expected.substring(1));
        Optional<String> actual = response.header(name);
        if (actual.isEmpty() || !pattern.matcher(actual.get()).find()) {
            throw new AssertionError("expected header " + name + " matching /" + pattern + "/ but "
                    + actual.map(v -> "it was '" + v + "'").orElse("there was none") + " for " + response);
        }
    }

    static Request toOkHttp(RouteTableFile.Request request) {
        Request.Builder builder = new Request.Builder().url(request.url().replaceFirst("^(?i)ws", "http"));
        request.headers().forEach(builder::header);
        RequestBody body = request.body().map(b -> RequestBody.create(b, (MediaType) null))
                .orElse(NEEDS_BODY.contains(request.method()) ? RequestBody.create(new byte[0]) : null);
        if (body != null && (request.method().equals("GET") || request.method().equals("HEAD"))) {
            throw new AssertionError(request.method() + " " + request.url() + " cannot carry a body");
        }
        return builder.method(request.method(), body).build();
    }
}
