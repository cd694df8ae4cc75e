package dev.proxystage.faultproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ProxyStage's fault proxy: a TCP proxy that takes a backend's place on the stage network (its shared alias) and
 * forwards every connection to the real backend, until it is told to break the path. It is told so on a control
 * port in plain HTTP:
 *
 * <ul>
 *   <li>{@code POST /fault} with a body of {@code key=value} pairs ({@code &} or new lines between them):
 *       {@code kind=down}; {@code kind=slow&ms=500} (each new connection waits that long before it is forwarded);
 *       {@code kind=slow-chunks&ms=100} (each chunk of the backend's answer waits that long);
 *       {@code kind=throttle&bytesPerSecond=1000} (each connection's answer, from the backend, goes at that rate; the
 *       request is never held, so a slow answer is not also a slow request); {@code kind=reset} (every connection
 *       reset at once) or
 *       {@code kind=reset&after=100} (reset once that many bytes of the answer went through);
 *       {@code kind=flaky&fraction=0.25} (that share of new connections reset at once, spread evenly: every 4th);</li>
 *   <li>{@code POST /heal}, optionally with {@code kind=...}: heals that fault, or every one;</li>
 *   <li>{@code GET /faults}: one line per active fault ({@code slow ms=500}), or {@code healthy};</li>
 *   <li>{@code GET /stats}: {@code accepted=N reset=N open=N}.</li>
 * </ul>
 *
 * Faults of different kinds add up. {@code down} closes the listening sockets (connections are refused) and resets
 * the open connections; {@code reset} resets the open connections too. Every change is one line on stdout with a
 * timestamp ({@code 2026-12-07T09:31:02.120Z fault slow started (500 ms before each connection)}), so a stage's log
 * shows when each fault started and ended.
 *
 * <p>ProxyStage copies this single class file into a plain JRE container, as it does the echo backend, and runs
 * {@code java -cp /opt/proxystage-fault-proxy dev.proxystage.faultproxy.FaultProxy}. It must therefore compile to
 * exactly ONE class file: no nested, inner, local or anonymous classes, no records or enums (lambdas are fine).
 * Only java.base is used. One thread per direction of a connection (pooled): the data path is two blocking copies
 * with nothing between them when the path is healthy. (A single-selector NIO relay measured the same added latency
 * on loopback, and made slow, throttled and reset paths harder to write.)
 */
public final class FaultProxy implements AutoCloseable {

    /** The control port when the environment names none. */
    public static final int DEFAULT_CONTROL_PORT = 7357;

    private static final int BUFFER_BYTES = 16 * 1024;
    /** A pooled thread copies one direction at a time: its buffer is reused, not 16 KiB of garbage per connection. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[BUFFER_BYTES]);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int CONTROL_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_CONTROL_REQUEST_BYTES = 16 * 1024;
    private static final long MAX_MILLIS = 3_600_000;
    /** A throttled write goes out in slices of this share of a second, each followed by its pause. */
    private static final long THROTTLE_SLICES_PER_SECOND = 50;
    /** Sleeps are cut into steps this long, so that a heal ends them soon. */
    private static final long SLEEP_STEP_MILLIS = 50;
    private static final long THREAD_STACK_BYTES = 256 * 1024;
    private static final List<String> KINDS = List.of("down", "slow", "slow-chunks", "throttle", "reset", "flaky");

    private final InetAddress bindAddress;
    private final String target;
    private final int[] targetPorts;
    /** The ports actually bound (a requested 0 is an ephemeral port), kept across a down and its heal. */
    private final int[] boundPorts;
    /** Guarded by this; null while down. */
    private final ServerSocket[] listeners;
    private final ServerSocket control;
    private final PrintStream log;
    private final ExecutorService pool;
    private final Set<Socket[]> open = ConcurrentHashMap.newKeySet();
    /** Active faults, kind to parameters ({@code ms=500}); guarded by this. */
    private final Map<String, String> active = new LinkedHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    /** Accept loops inside {@code accept()}: a closed listener is gone for good only once none is. */
    private final AtomicInteger inAccept = new AtomicInteger();
    private final AtomicLong resets = new AtomicLong();
    /** Guarded by this: the share of a connection owed to flaky; a connection is reset each time it reaches 1. */
    private double flakyCredit;

    // The effective faults, read on the data path without a lock.
    private volatile boolean down;
    private volatile long latencyMillis;
    private volatile long chunkMillis;
    private volatile long bytesPerSecond;
    private volatile long resetAfter = -1;
    private volatile double flakyFraction;
    /** Changes with every fault or heal: a sleep of a fault that is gone ends early. */
    private volatile long generation;
    private volatile boolean closed;

    private FaultProxy(InetAddress bindAddress, String target, int[] targetPorts, int[] boundPorts,
                       ServerSocket[] listeners, ServerSocket control, PrintStream log) {
        this.bindAddress = bindAddress;
        this.target = target;
        this.targetPorts = targetPorts;
        this.boundPorts = boundPorts;
        this.listeners = listeners;
        this.control = control;
        this.log = log;
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(null, task, "fault-proxy-" + threads.incrementAndGet(), THREAD_STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Container entry point: {@code FAULT_PROXY_TARGET}, {@code FAULT_PROXY_PORTS}, {@code FAULT_PROXY_CONTROL}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String target = env.getOrDefault("FAULT_PROXY_TARGET", "").strip();
        int[] ports;
        int controlPort;
        try {
            if (target.isEmpty()) {
                throw new IllegalArgumentException("FAULT_PROXY_TARGET (the real backend's host name) is not set");
            }
            ports = parsePorts(env.getOrDefault("FAULT_PROXY_PORTS", "80"));
            String controlText = env.getOrDefault("FAULT_PROXY_CONTROL", Integer.toString(DEFAULT_CONTROL_PORT)).strip();
            controlPort = parsePorts(controlText)[0];
        } catch (IllegalArgumentException e) {
            System.err.println("fault proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        start(InetAddress.getByAddress(new byte[4]), ports, target, ports, controlPort, System.out);
        new CountDownLatch(1).await();
    }

    /**
     * Listens on {@code listenPorts} of {@code bindAddress} (0: an ephemeral port) and forwards each to the port of
     * {@code target} at the same index; takes commands on {@code controlPort} (0: ephemeral). Lines go to {@code log}.
     */
    public static FaultProxy start(InetAddress bindAddress, int[] listenPorts, String target, int[] targetPorts,
                                   int controlPort, PrintStream log) throws IOException {
        if (listenPorts.length == 0 || listenPorts.length != targetPorts.length) {
            throw new IllegalArgumentException("one target port per listening port");
        }
        List<ServerSocket> bound = new ArrayList<>();
        try {
            ServerSocket[] listeners = new ServerSocket[listenPorts.length];
            int[] boundPorts = new int[listenPorts.length];
            for (int i = 0; i < listenPorts.length; i++) {
                listeners[i] = bind(bindAddress, listenPorts[i]);
                bound.add(listeners[i]);
                boundPorts[i] = listeners[i].getLocalPort();
            }
            ServerSocket control = bind(bindAddress, controlPort);
            bound.add(control);
            FaultProxy proxy = new FaultProxy(bindAddress, target, targetPorts.clone(), boundPorts, listeners, control, log);
            for (int i = 0; i < listeners.length; i++) {
                int index = i;
                daemon(() -> proxy.acceptLoop(index), "fault-proxy-accept-" + boundPorts[i]);
            }
            daemon(proxy::controlLoop, "fault-proxy-control");
            StringBuilder paths = new StringBuilder();
            for (int i = 0; i < boundPorts.length; i++) {
                paths.append(i == 0 ? "" : ", ").append(':').append(boundPorts[i]).append(" -> ").append(target)
                        .append(':').append(targetPorts[i]);
            }
            proxy.line("fault proxy ready: " + paths + "; control :" + control.getLocalPort());
            return proxy;
        } catch (IOException | RuntimeException e) {
            for (ServerSocket socket : bound) {
                closeQuietly(socket);
            }
            throw e;
        }
    }

    /** The port listening in place of {@code index}'s requested port. */
    public int port(int index) {
        return boundPorts[index];
    }

    public int controlPort() {
        return control.getLocalPort();
    }

    // ------------------------------------------------------------------------------------------------ data path

    private void acceptLoop(int index) {
        while (!closed) {
            ServerSocket server = awaitListener(index);
            if (server == null) {
                return;
            }
            Socket client;
            inAccept.incrementAndGet();
            try {
                client = server.accept();
            } catch (IOException e) {
                continue; // closed by a down (the next listener comes with the heal) or by close()
            } finally {
                inAccept.decrementAndGet();
            }
            accepted.incrementAndGet();
            if (down || refuseNow()) {
                resets.incrementAndGet();
                abort(client);
                continue;
            }
            try {
                pool.execute(() -> forward(client, index));
            } catch (RejectedExecutionException e) {
                abort(client);
            }
        }
    }

    private synchronized ServerSocket awaitListener(int index) {
        while (!closed && listeners[index] == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return closed ? null : listeners[index];
    }

    /** Whether a new connection is reset at once: {@code reset} with no bytes allowed, or its turn under {@code flaky}. */
    private boolean refuseNow() {
        if (resetAfter == 0) {
            return true;
        }
        if (flakyFraction <= 0) {
            return false;
        }
        synchronized (this) {
            flakyCredit += flakyFraction;
            if (flakyCredit >= 1 - 1e-9) {
                flakyCredit -= 1;
                return true;
            }
            return false;
        }
    }

    private void forward(Socket client, int index) {
        long latency = latencyMillis;
        if (latency > 0) {
            pause(latency, generation);
        }
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(target, targetPorts[index]), CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            // The real backend refuses or is gone: the client sees its connection reset.
            closeQuietly(upstream);
            abort(client);
            return;
        }
        Socket[] pair = {client, upstream};
        open.add(pair);
        if (closed || down || resetAfter == 0) {
            abortPair(pair);
            return;
        }
        AtomicInteger running = new AtomicInteger(2);
        AtomicLong answered = new AtomicLong();
        // The request is waiting already: this thread copies it at once. The answer comes later, on a pooled thread
        // that wakes while the request goes out, so no hand-off between threads lies on the request's path.
        try {
            pool.execute(() -> pump(pair, upstream, client, true, running, answered));
        } catch (RejectedExecutionException e) {
            abortPair(pair);
            return;
        }
        pump(pair, client, upstream, false, running, answered);
    }

    /**
     * Copies {@code from} to {@code to} until the end of the stream, which is passed on as a half-close; a failure
     * on either side resets both (a real peer's failure reaches the other end). {@code answer}: the direction from
     * the backend, which {@code reset after} counts in {@code answered}.
     */
    private void pump(Socket[] pair, Socket from, Socket to, boolean answer, AtomicInteger running, AtomicLong answered) {
        byte[] buffer = BUFFER.get();
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                long chunkPause = answer ? chunkMillis : 0;
                if (chunkPause > 0) {
                    pause(chunkPause, generation);
                }
                int length = read;
                boolean cut = false;
                long after = resetAfter;
                if (answer && after >= 0) {
                    long room = after - answered.get();
                    if (room < length) {
                        length = (int) Math.max(0, room);
                        cut = true;
                    }
                }
                write(out, buffer, length, answer);
                if (answer) {
                    answered.addAndGet(length);
                }
                if (cut) {
                    resets.incrementAndGet();
                    // A moment for the bytes let through to reach the peer before the reset discards what is unsent.
                    pause(20, generation);
                    abortPair(pair);
                    return;
                }
            }
            to.shutdownOutput();
        } catch (IOException e) {
            abortPair(pair);
        } finally {
            if (running.decrementAndGet() == 0) {
                open.remove(pair);
                closeQuietly(pair[0]);
                closeQuietly(pair[1]);
            }
        }
    }

    /** Writes at once, or, an answer throttled, in slices each followed by the pause that keeps the rate. */
    private void write(OutputStream out, byte[] buffer, int length, boolean answer) throws IOException {
        int offset = 0;
        while (offset < length) {
            long rate = answer ? bytesPerSecond : 0;
            if (rate <= 0) {
                out.write(buffer, offset, length - offset);
                return;
            }
            int slice = (int) Math.min(length - offset, Math.max(1, rate / THROTTLE_SLICES_PER_SECOND));
            out.write(buffer, offset, slice);
            offset += slice;
            pauseNanos(slice * 1_000_000_000L / rate, generation);
        }
    }

    private void pause(long millis, long since) {
        pauseNanos(millis * 1_000_000L, since);
    }

    /** Sleeps, in steps, until {@code nanos} passed or the faults changed since generation {@code since}. */
    private void pauseNanos(long nanos, long since) {
        long deadline = System.nanoTime() + nanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0 && generation == since && !closed) {
            try {
                long step = Math.min(left, SLEEP_STEP_MILLIS * 1_000_000L);
                Thread.sleep(step / 1_000_000L, (int) (step % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void abortPair(Socket[] pair) {
        open.remove(pair);
        abort(pair[0]);
        abort(pair[1]);
    }

    private void abortOpenConnections() {
        for (Socket[] pair : List.copyOf(open)) {
            abortPair(pair);
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a reset (RST), not an orderly end. */
    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    // ------------------------------------------------------------------------------------------------ faults

    /** Starts fault {@code kind} with {@code parameters} (replacing one of that kind); returns the line logged. */
    public synchronized String fault(String kind, Map<String, String> parameters) {
        String normalized = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
        if (!KINDS.contains(normalized)) {
            throw new IllegalArgumentException("unknown fault kind '" + kind + "' (known: " + String.join(", ", KINDS) + ")");
        }
        String description;
        String stored;
        switch (normalized) {
            case "down" -> {
                description = "connections refused";
                stored = "";
            }
            case "slow", "slow-chunks" -> {
                long ms = number(parameters, "ms", 1, MAX_MILLIS);
                description = ms + " ms before each " + (normalized.equals("slow") ? "connection is forwarded" : "chunk of the answer");
                stored = "ms=" + ms;
            }
            case "throttle" -> {
                long rate = number(parameters, "bytesPerSecond", 1, Long.MAX_VALUE / 1_000_000_000L);
                description = rate + " bytes/s for each connection's answer";
                stored = "bytesPerSecond=" + rate;
            }
            case "reset" -> {
                long after = parameters.containsKey("after") ? number(parameters, "after", 0, Long.MAX_VALUE) : 0;
                description = after == 0 ? "every connection reset at once"
                        : "every connection reset after " + after + " bytes of its answer";
                stored = "after=" + after;
            }
            default -> {
                double fraction = fraction(parameters);
                description = percent(fraction) + " of new connections reset at once";
                stored = "fraction=" + fraction;
            }
        }
        boolean again = active.containsKey(normalized);
        active.put(normalized, stored);
        apply();
        if (normalized.equals("down")) {
            closeListeners();
            abortOpenConnections();
        } else if (normalized.equals("reset") && resetAfter == 0) {
            abortOpenConnections();
        }
        return line("fault " + normalized + (again ? " changed" : " started") + " (" + description + ")");
    }

    /** Heals fault {@code kind}, or every fault when it is null; returns the lines logged. */
    public synchronized List<String> heal(String kind) {
        List<String> kinds = new ArrayList<>();
        if (kind == null || kind.isBlank()) {
            kinds.addAll(active.keySet());
        } else {
            String normalized = kind.strip().toLowerCase(Locale.ROOT);
            if (!KINDS.contains(normalized)) {
                throw new IllegalArgumentException("unknown fault kind '" + kind + "' (known: " + String.join(", ", KINDS) + ")");
            }
            if (active.containsKey(normalized)) {
                kinds.add(normalized);
            }
        }
        List<String> lines = new ArrayList<>();
        boolean wasDown = active.containsKey("down");
        kinds.forEach(active::remove);
        apply();
        if (wasDown && !down) {
            reopenListeners();
        }
        for (String healed : kinds) {
            lines.add(line("fault " + healed + " healed"));
        }
        return lines;
    }

    /** The active faults, one {@code kind parameters} line each, in the order they started. */
    public synchronized List<String> faults() {
        List<String> lines = new ArrayList<>();
        active.forEach((kind, parameters) -> lines.add(parameters.isEmpty() ? kind : kind + " " + parameters));
        return lines;
    }

    /** {@code accepted=N reset=N open=N}. */
    public String stats() {
        return "accepted=" + accepted.get() + " reset=" + resets.get() + " open=" + open.size();
    }

    /** The effective faults from the active ones. */
    private void apply() {
        down = active.containsKey("down");
        latencyMillis = longOf(active.get("slow"), 0);
        chunkMillis = longOf(active.get("slow-chunks"), 0);
        bytesPerSecond = longOf(active.get("throttle"), 0);
        resetAfter = active.containsKey("reset") ? longOf(active.get("reset"), 0) : -1;
        String flaky = active.get("flaky");
        flakyFraction = flaky == null ? 0 : Double.parseDouble(flaky.substring(flaky.indexOf('=') + 1));
        flakyCredit = 0;
        generation++;
    }

    private static long longOf(String stored, long fallback) {
        return stored == null ? fallback : Long.parseLong(stored.substring(stored.indexOf('=') + 1));
    }

    private void closeListeners() {
        for (int i = 0; i < listeners.length; i++) {
            if (listeners[i] != null) {
                closeQuietly(listeners[i]);
                listeners[i] = null;
            }
        }
        // A thread blocked in accept() keeps the kernel's listening socket alive until a signal wakes it: until then
        // new connections are still accepted (and then reset, where nginx expects a refusal). down is in force once
        // every accept loop has left accept().
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (inAccept.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void reopenListeners() {
        for (int i = 0; i < listeners.length; i++) {
            try {
                listeners[i] = bind(bindAddress, boundPorts[i]);
            } catch (IOException e) {
                line("cannot listen on :" + boundPorts[i] + " again: " + e.getMessage());
            }
        }
        notifyAll();
    }

    private static long number(Map<String, String> parameters, String key, long min, long max) {
        String text = parameters.get(key);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("missing " + key);
        }
        try {
            long value = Long.parseLong(text.strip());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number from " + min + " to " + max + ", got '" + text + "'");
        }
    }

    private static double fraction(Map<String, String> parameters) {
        String text = parameters.get("fraction");
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("missing fraction");
        }
        try {
            double value = Double.parseDouble(text.strip());
            if (!(value > 0 && value <= 1)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fraction must be more than 0 and at most 1, got '" + text + "'");
        }
    }

    private static String percent(double fraction) {
        double percent = fraction * 100;
        return (percent == Math.rint(percent) ? Long.toString((long) percent) : String.format(Locale.ROOT, "%.2f", percent)) + "%";
    }

    /** Logs {@code message} as one timestamped line and returns it. */
    private String line(String message) {
        String line = Instant.now() + " " + message;
        synchronized (log) {
            log.println(line);
            log.flush();
        }
        return line;
    }

    // ------------------------------------------------------------------------------------------------ control

    private void controlLoop() {
        while (!closed) {
            try (Socket socket = control.accept()) {
                socket.setSoTimeout(CONTROL_TIMEOUT_MILLIS);
                handle(socket);
            } catch (IOException e) {
                // a client that went away, or the proxy closing
            }
        }
    }

    private void handle(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() >= MAX_CONTROL_REQUEST_BYTES) {
                respond(socket, 400, "incomplete request\n");
                return;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length < 2) {
            respond(socket, 400, "bad request line\n");
            return;
        }
        int length = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).strip().equalsIgnoreCase("Content-Length")) {
                try {
                    length = Integer.parseInt(lines[i].substring(colon + 1).strip());
                } catch (NumberFormatException e) {
                    length = -1;
                }
            }
        }
        if (length < 0 || length > MAX_CONTROL_REQUEST_BYTES) {
            respond(socket, 400, "bad Content-Length\n");
            return;
        }
        byte[] body = in.readNBytes(length);
        String method = requestLine[0];
        String path = requestLine[1];
        try {
            Map<String, String> parameters = parameters(new String(body, StandardCharsets.UTF_8));
            if (method.equals("POST") && path.equals("/fault")) {
                respond(socket, 200, fault(parameters.get("kind"), parameters) + "\n");
            } else if (method.equals("POST") && path.equals("/heal")) {
                List<String> healed = heal(parameters.get("kind"));
                respond(socket, 200, healed.isEmpty() ? "nothing to heal\n" : String.join("\n", healed) + "\n");
            } else if (method.equals("GET") && path.equals("/faults")) {
                List<String> faults = faults();
                respond(socket, 200, faults.isEmpty() ? "healthy\n" : String.join("\n", faults) + "\n");
            } else if (method.equals("GET") && path.equals("/stats")) {
                respond(socket, 200, stats() + "\n");
            } else {
                respond(socket, 404, "unknown command " + method + " " + path
                        + " (known: POST /fault, POST /heal, GET /faults, GET /stats)\n");
            }
        } catch (IllegalArgumentException e) {
            respond(socket, 400, e.getMessage() + "\n");
        }
    }

    /** {@code a=1&b=2}, or one pair per line. */
    static Map<String, String> parameters(String body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : body.split("[&\r\n]+")) {
            if (pair.isBlank()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + pair.strip() + "'");
            }
            parameters.put(URLDecoder.decode(pair.substring(0, equals).strip(), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1).strip(), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static void respond(Socket socket, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Stops listening and resets every open connection. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            closeListeners();
            notifyAll();
        }
        closeQuietly(control);
        abortOpenConnections();
        pool.shutdownNow();
    }

    private static ServerSocket bind(InetAddress address, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            // A healed down binds the same port again, while connections it reset may still linger.
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(address, port), 512);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    static int[] parsePorts(String text) {
        String[] parts = text.split(",");
        int[] ports = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ports[i] = Integer.parseInt(parts[i].strip());
                if (ports[i] < 1 || ports[i] > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i].strip() + "' is not a port (1-65535) in '" + text + "'");
            }
        }
        return ports;
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(null, task, name, THREAD_STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
