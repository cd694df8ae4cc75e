package dev.proxystage.internal.coverage;

import dev.proxystage.internal.logs.TraceListener;
import dev.proxystage.internal.nginx.NginxConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stage's conf.d coverage as its client's requests come: a request waits for nginx's trace (which names the server
 * block that answered) and is counted when it arrives, on the thread that receives traces, not the test's. Requests
 * whose trace never comes (a server with its own {@code access_log}) are counted by the configuration alone when the
 * coverage is read.
 */
public final class StageCoverage implements TraceListener {

    /** Requests waiting for a trace, at most: past it they are counted without one, so memory stays bounded. */
    static final int MAX_PENDING = 10_000;

    private final String stage;
    private final ConfCoverage coverage;
    private final Map<String, ConfCoverage.Sent> pending = new ConcurrentHashMap<>();

    public StageCoverage(String stage, NginxConfig config) {
        this.stage = stage;
        this.coverage = new ConfCoverage(config);
    }

    public String stage() {
        return stage;
    }

    @Override
    public void sent(String requestId, String method, String url, Map<String, String> headers) {
        if (pending.size() >= MAX_PENDING) {
            drain();
        }
        pending.put(requestId, new ConfCoverage.Sent(method, url, headers));
    }

    @Override
    public void traced(String requestId, String serverName, int port) {
        ConfCoverage.Sent sent = pending.remove(requestId);
        if (sent != null) {
            synchronized (coverage) {
                coverage.count(sent, Optional.of(new ConfCoverage.Traced(serverName, port)));
            }
        }
    }

    /** The coverage of every request so far; those still without a trace are counted by the configuration. */
    public ConfCoverage.Snapshot snapshot() {
        drain();
        synchronized (coverage) {
            return coverage.snapshot();
        }
    }

    private void drain() {
        List<ConfCoverage.Sent> untraced = new ArrayList<>();
        for (String id : List.copyOf(pending.keySet())) {
            ConfCoverage.Sent sent = pending.remove(id);
            if (sent != null) {
                untraced.add(sent);
            }
        }
        synchronized (coverage) {
            untraced.forEach(s -> coverage.count(s, Optional.empty()));
        }
    }
}
