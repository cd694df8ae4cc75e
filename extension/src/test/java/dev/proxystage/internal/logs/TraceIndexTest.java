package dev.proxystage.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.LogMark;
import dev.proxystage.RoutingTrace;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TraceIndexTest {

    private final BackendAddresses addresses = new BackendAddresses();
    private final TraceIndex index = new TraceIndex("prep", addresses);

    private static String record(String id, String upstream) {
        return record(id, upstream, "443");
    }

    private static String record(String id, String upstream, String port) {
        return TraceLog.PREFIX + "{\"id\":\"" + id + "\",\"server\":\"vw.example.com\",\"status\":\"200\","
                + "\"upstream\":\"" + upstream + "\",\"upstream_status\":\"" + (upstream.isEmpty() ? "" : "200")
                + "\",\"upstream_header_time\":\"" + (upstream.isEmpty() ? "" : "0.001") + "\",\"port\":\"" + port + "\","
                + "\"request_time\":\"0.002\"}";
    }

    @Test
    void aStreamedLineBecomesATraceNamingTheBackendAtThatAddress() {
        addresses.put("172.18.0.3", "vaultwarden", "vaultwarden");
        index.sent("r1", "GET", "https://vw.example.com/");

        assertThat(index.accept(record("r1", "172.18.0.3:80"))).isTrue();

        RoutingTrace trace = index.await("r1", Duration.ofSeconds(1)).orElseThrow();
        assertThat(trace.toString())
                .isEqualTo("GET https://vw.example.com/ → server vw.example.com → 172.18.0.3:80 = vaultwarden@prep, upstream 200 (2 ms)");
        assertThat(trace.backend()).contains("vaultwarden");
        assertThat(trace.status()).isEqualTo(200);
    }

    @Test
    void aSyslogDatagramCarriesTheSameRecordAfterItsHeader() {
        index.sent("r2", "GET", "https://vw.example.com/");

        assertThat(index.accept("<190>Dec  1 09:30:00 proxystage: " + record("r2", ""))).isTrue();

        RoutingTrace trace = index.await("r2", Duration.ofSeconds(1)).orElseThrow();
        assertThat(trace.upstreamAddress()).isEmpty();
        assertThat(trace.answeredByNginx()).isTrue();
    }

    @Test
    void retriesNameTheLastUpstreamThatWasTried() {
        addresses.put("172.18.0.4", "b", "b");
        index.accept(record("r3", "172.18.0.9:80, 172.18.0.4:80"));

        assertThat(index.await("r3", Duration.ofSeconds(1)).orElseThrow().backend()).contains("b");
        assertThat(TraceIndex.lastUpstream("10.0.0.1:80 : 10.0.0.2:80")).isEqualTo("10.0.0.2:80");
        assertThat(TraceIndex.lastUpstream("-")).isEmpty();
    }

    @Test
    void everyAttemptKeepsItsOwnStatusAndTimingsAndAFailedOneHasNoAnswer() {
        addresses.put("172.18.0.4", "app2", "app2");
        addresses.put("172.18.0.5", "app", "app");
        index.sent("r4", "GET", "http://app.example.com/");
        index.accept(TraceLog.PREFIX + "{\"id\":\"r4\",\"server\":\"app.example.com\",\"status\":\"200\","
                + "\"upstream\":\"172.18.0.5:80, 172.18.0.4:80\",\"upstream_status\":\"502, 200\","
                + "\"upstream_header_time\":\"-, 0.004\",\"upstream_connect_time\":\"-, 0.001\","
                + "\"upstream_response_time\":\"0.000, 0.005\",\"port\":\"80\",\"request_time\":\"0.006\"}");

        RoutingTrace trace = index.await("r4", Duration.ofSeconds(1)).orElseThrow();

        assertThat(trace.attempts()).hasSize(2);
        RoutingTrace.Attempt refused = trace.attempts().get(0);
        assertThat(refused.alias()).contains("app");
        assertThat(refused.status()).as("nginx's own 502 is not the upstream's answer").isEmpty();
        assertThat(refused.connectTime()).isEmpty();
        assertThat(trace.upstreamStatus()).contains(200);
        assertThat(trace.upstreamConnectTime()).contains(Duration.ofMillis(1));
        assertThat(trace.upstreamHeaderTime()).contains(Duration.ofMillis(4));
        assertThat(trace.upstreamResponseTime()).contains(Duration.ofMillis(5));
        assertThat(trace.toString()).isEqualTo("GET http://app.example.com/ → server app.example.com → tried"
                + " 172.18.0.5:80 = app (no answer), then 172.18.0.4:80 = app2@prep, upstream 200 (6 ms)");
    }

    @Test
    void aTimedOutUpstreamHasAResponseTimeButNoAnswer() {
        index.sent("r5", "GET", "http://app.example.com/");
        index.accept(TraceLog.PREFIX + "{\"id\":\"r5\",\"server\":\"app.example.com\",\"status\":\"504\","
                + "\"upstream\":\"172.18.0.5:80\",\"upstream_status\":\"504\",\"upstream_header_time\":\"-\","
                + "\"upstream_connect_time\":\"0.000\",\"upstream_response_time\":\"1.001\",\"port\":\"80\","
                + "\"request_time\":\"1.001\"}");

        RoutingTrace trace = index.await("r5", Duration.ofSeconds(1)).orElseThrow();

        assertThat(trace.upstreamStatus()).isEmpty();
        assertThat(trace.upstreamResponseTime()).contains(Duration.ofMillis(1001));
        assertThat(trace.upstreamConnectTime()).contains(Duration.ZERO);
        assertThat(TraceIndex.each("1.0, - : 2.0")).containsExactly("1.0", "-", "2.0");
    }

    @Test
    void aHopNginxMakesToItsOwnListenerDoesNotStandForTheClientsRequest() {
        addresses.put("172.18.0.5", "phpfpm", "phpfpm");
        addresses.put("172.18.0.6", "sogo", "sogo");
        index.sent("as", "GET", "https://mail.example.org/SOGo");
        // auth_request's proxy_pass to nginx's own 127.0.0.1:65510 carries the client's headers, and ends first.
        index.accept(record("as", "172.18.0.5:9002", "65510"));
        index.accept(record("as", "172.18.0.6:20000", "443"));

        assertThat(index.await("as", Duration.ofSeconds(5)).orElseThrow().backend()).contains("sogo");
    }

    @Test
    void anInnerHopsRecordAloneIsStillTheTrace() {
        addresses.put("172.18.0.5", "phpfpm", "phpfpm");
        index.sent("inner", "GET", "http://a.test/");
        index.accept(record("inner", "172.18.0.5:9002", "65510"));

        assertThat(index.await("inner", Duration.ofMillis(50)).orElseThrow().backend()).contains("phpfpm");
    }

    @Test
    void otherLinesAndBrokenRecordsAreNotTraces() {
        assertThat(index.accept("172.18.0.1 - - \"GET / HTTP/1.1\" 200")).isFalse();
        assertThat(index.accept(TraceLog.PREFIX + "{not json")).isFalse();
        assertThat(index.accept(TraceLog.PREFIX + "[1,2]")).isFalse();
        assertThat(index.await("never", Duration.ofMillis(1))).isEmpty();
    }

    @Test
    void aWaiterIsAnsweredByARecordThatArrivesLater() throws Exception {
        index.sent("late", "GET", "https://a.test/");
        CompletableFuture<Optional<RoutingTrace>> waiting =
                CompletableFuture.supplyAsync(() -> index.await("late", Duration.ofSeconds(20)));

        index.accept(record("late", ""));

        assertThat(waiting.get()).isPresent();
    }

    @Test
    void requestsSinceAMarkAreThoseOfTheAskingThreadInOrder() throws Exception {
        index.sent("before", "GET", "http://a.test/0");
        LogMark mark = new LogMark(LogClock.now());
        index.sent("first", "GET", "http://a.test/1");
        Thread other = new Thread(() -> index.sent("other", "GET", "http://a.test/x"), "other-thread");
        other.start();
        other.join();
        index.sent("second", "GET", "http://a.test/2");

        assertThat(index.sentSince(mark, Thread.currentThread().getName()))
                .extracting(TraceIndex.Sent::requestId).containsExactly("first", "second");
        assertThat(index.sentSince(mark, null)).extracting(TraceIndex.Sent::requestId)
                .containsExactlyInAnyOrder("first", "other", "second");
    }

    @Test
    void waitingForEveryRequestSinceAMarkFailsWhileOneHasNoTrace() {
        LogMark mark = new LogMark(LogClock.now());
        index.sent("a", "GET", "https://a.test/");
        index.sent("b", "GET", "https://b.test/");
        index.accept(record("a", ""));

        assertThat(index.awaitAllSince(mark, Duration.ofMillis(20))).isFalse();
        index.accept(record("b", ""));
        assertThat(index.awaitAllSince(mark, Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void aRequestNginxRefusedWith414IsNotWaitedForItsRecordCarriesNoId() {
        LogMark mark = new LogMark(LogClock.now());
        index.sent("long", "GET", "https://a.test/" + "a".repeat(9000));
        index.sent("short", "GET", "https://a.test/");
        index.answered("long", 414);
        index.answered("short", 404);
        index.accept(record("short", ""));

        assertThat(index.awaitAllSince(mark, Duration.ofSeconds(30))).isTrue();
        index.sent("other", "GET", "https://a.test/");
        index.answered("other", 400);
        assertThat(index.awaitAllSince(mark, Duration.ofMillis(20))).as("only 414 comes before the headers").isFalse();
    }
}
