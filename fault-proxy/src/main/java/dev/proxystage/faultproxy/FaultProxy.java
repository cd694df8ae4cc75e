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
import java.net.StandardSocketOptions;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * Faults of different kinds add up, and apply to open connections as well as new ones. {@code down} closes the
 * listening sockets (connections are refused) and resets the open connections; {@code reset} resets the open
 * connections too. Every change is one line on stdout with a timestamp
 * ({@code 2026-12-07T09:31:02.120Z fault slow started (500 ms before each connection)}), so a stage's log shows when
 * each fault started and ended.
 *
 * <p>ProxyStage copies the class files of this package into a plain JRE container, as it does the echo backend, and
 * runs {@code java -cp /opt/proxystage-fault-proxy dev.proxystage.faultproxy.FaultProxy}. Only java.base is used.
 *
 * <p>The data path is one event loop, as a C forwarder's: one thread accepts, connects without blocking and copies
 * both directions of every connection through one direct buffer, so a connection is never handed between threads.
 * The faults that hold data (slow, slow-chunks, throttle, the pause before reset-after's reset) are deadlines on the
 * loop's clock, never a sleeping thread. The control port has a thread of its own; what it changes on the data path
 * it hands to the loop and waits for, so that a fault is in force when its command is answered.
 *
 * <p>A new connection's way to the backend holds only what the JDK must do: the connect to the backend finished at
 * once when its handshake already completed, a socket for the next connection's backend opened ahead while the
 * backend works on a request, TCP_NODELAY toward the client set once the request went on, and the accept that finds
 * no more connections after that. Ready keys are handled as the select finds them, and the sockets of ended
 * connections are closed once they left the selector. What that saved, beside nginx's stream module in the same
 * place: docs/benchmarks.md, "Fault proxy on the healthy path".
 */
public final class FaultProxy implements AutoCloseable {

    /** The control port when the environment names none. */
    public static final int DEFAULT_CONTROL_PORT = 7357;

    /** The loop reads one connection at a time: one buffer serves them all. */
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long CONNECT_TIMEOUT_NANOS = 5_000_000_000L;
    private static final int CONTROL_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_CONTROL_REQUEST_BYTES = 16 * 1024;
    private static final long MAX_MILLIS = 3_600_000;
    /** A throttled answer goes out in slices of this share of a second, each followed by its pause. */
    private static final long THROTTLE_SLICES_PER_SECOND = 50;
    /** reset-after waits this long after the last bytes it lets through: time for them to reach the peer. */
    private static final long CUT_PAUSE_NANOS = 20_000_000L;
    /** Accepts per wake-up of a listener, so that a burst of connections cannot starve the open ones. */
    private static final int MAX_ACCEPTS_PER_WAKEUP = 64;
    private static final long THREAD_STACK_BYTES = 256 * 1024;
    private static final List<String> KINDS = List.of("down", "slow", "slow-chunks", "throttle", "reset", "flaky");

    // What a connection waits for on the loop's clock (Connection.waiting).
    private static final int WAIT_NONE = 0;
    /** slow: the pause before the connect to the backend. */
    private static final int WAIT_SLOW = 1;
    /** The connect to the backend: its timeout. */
    private static final int WAIT_CONNECT = 2;
    /** slow-chunks or throttle: the answer's next bytes. */
    private static final int WAIT_ANSWER = 3;
    /** reset-after: the pause before the reset. */
    private static final int WAIT_CUT = 4;

    private final InetAddress bindAddress;
    private final String target;
    private final int[] targetPorts;
    /** The ports actually bound (a requested 0 is an ephemeral port), kept across a down and its heal. */
    private final int[] boundPorts;
    /** The loop's alone, as are the fields below up to flakyCredit; an entry is null while down. */
    private final ServerSocketChannel[] listeners;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    /** Every connection not yet closed. */
    private final Set<Connection> connections = new HashSet<>();
    /** The connections waiting on the loop's clock. */
    private final Set<Connection> waiting = new LinkedHashSet<>();
    /** The share of a connection owed to flaky; a connection is reset each time it reaches 1. */
    private double flakyCredit;
    /**
     * Channels of finished connections, closed after the loop's next select has deregistered them: closing a
     * registered channel costs the JDK two more system calls each (docs/benchmarks.md, "Fault proxy on the healthy
     * path").
     */
    private final List<SocketChannel> finished = new ArrayList<>();
    /**
     * A socket opened for the next connection's backend after the loop's work, while the backend works on a request:
     * opening it costs five system calls that would otherwise come between a new connection and its request's going on.
     */
    private SocketChannel spare;
    /** Work handed to the loop by other threads (the control port, close). */
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread loop;
    private final ServerSocket control;
    private final PrintStream log;
    /** Active faults, kind to parameters ({@code ms=500}); guarded by this. */
    private final Map<String, String> active = new LinkedHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    /** Connections with both ends connected. */
    private final AtomicInteger open = new AtomicInteger();

    // The effective faults, read on the data path without a lock.
    private volatile boolean down;
    private volatile long latencyMillis;
    private volatile long chunkMillis;
    private volatile long bytesPerSecond;
    private volatile long resetAfter = -1;
    private volatile double flakyFraction;
    /** Changes with every fault or heal: a pause of a fault that is gone ends early. */
    private volatile long generation;
    private volatile boolean closed;

    private FaultProxy(InetAddress bindAddress, String target, int[] targetPorts, int[] boundPorts,
                       ServerSocketChannel[] listeners, Selector selector, ServerSocket control, PrintStream log)
            throws IOException {
        this.bindAddress = bindAddress;
        this.target = target;
        this.targetPorts = targetPorts;
        this.boundPorts = boundPorts;
        this.listeners = listeners;
        this.selector = selector;
        this.control = control;
        this.log = log;
        for (int i = 0; i < listeners.length; i++) {
            listeners[i].register(selector, SelectionKey.OP_ACCEPT, i);
        }
        this.loop = new Thread(null, this::loop, "fault-proxy-loop", THREAD_STACK_BYTES);
        loop.setDaemon(true);
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
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            ServerSocketChannel[] listeners = new ServerSocketChannel[listenPorts.length];
            int[] boundPorts = new int[listenPorts.length];
            for (int i = 0; i < listenPorts.length; i++) {
                listeners[i] = bind(bindAddress, listenPorts[i]);
                opened.add(listeners[i]);
                boundPorts[i] = ((InetSocketAddress) listeners[i].getLocalAddress()).getPort();
            }
            ServerSocket control = new ServerSocket();
            opened.add(control);
            control.setReuseAddress(true);
            control.bind(new InetSocketAddress(bindAddress, controlPort), 50);
            Selector selector = Selector.open();
            opened.add(selector);
            FaultProxy proxy = new FaultProxy(bindAddress, target, targetPorts.clone(), boundPorts, listeners, selector,
                    control, log);
            proxy.loop.start();
            daemon(proxy::controlLoop, "fault-proxy-control");
            StringBuilder paths = new StringBuilder();
            for (int i = 0; i < boundPorts.length; i++) {
                paths.append(i == 0 ? "" : ", ").append(':').append(boundPorts[i]).append(" -> ").append(target)
                        .append(':').append(targetPorts[i]);
            }
            proxy.line("fault proxy ready: " + paths + "; control :" + control.getLocalPort());
            return proxy;
        } catch (IOException | RuntimeException e) {
            opened.forEach(FaultProxy::closeQuietly);
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

    /** One client's connection and its own to the backend; the loop's alone. */
    private static final class Connection {
        final SocketChannel client;
        final int index;
        SelectionKey clientKey;
        SocketChannel upstream;
        SelectionKey upstreamKey;
        /** Bytes read and not yet passed on: the peer's window was full, or a fault holds the answer. */
        ByteBuffer toUpstream;
        ByteBuffer toClient;
        boolean connected;
        /** The client's end of stream arrived (and went on to the backend as a half-close). */
        boolean clientEof;
        boolean upstreamEof;
        /** The answer's pending chunk had its slow-chunks pause. */
        boolean chunkHeld;
        /** reset-after cut the answer: the connection is reset once what it let through is written. */
        boolean cut;
        boolean done;
        long answered;
        int waiting = WAIT_NONE;
        long wakeAt;
        /** The faults' generation whose change ends the wait early, or -1 (a connect's timeout ends on time only). */
        long wakeGeneration;

        Connection(SocketChannel client, int index) {
            this.client = client;
            this.index = index;
        }
    }

    private void loop() {
        try {
            while (!closed) {
                long timeout = millisToNextWake();
                // The channels finished before this select are off the selector once it ran.
                int deregistered = finished.size();
                // Each ready key is handled as the select finds it: no set of selected keys to fill and empty.
                if (timeout < 0) {
                    selector.selectNow(this::readyQuietly);
                } else {
                    selector.select(this::readyQuietly, timeout); // 0: until a channel is ready or a task wakes it
                }
                closeFinished(deregistered);
                runTasks();
                wake();
                prepareSpare();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                line("fault proxy stopped: " + e);
            }
        } finally {
            closed = true;
            closeListeners();
            abortAll();
            runTasks();
            closeQuietly(selector);
            closeFinished(finished.size());
            if (spare != null) {
                closeQuietly(spare);
            }
        }
    }

    private void readyQuietly(SelectionKey key) {
        try {
            if (key.isValid()) {
                ready(key);
            }
        } catch (RuntimeException e) {
            // one connection's or listener's trouble, never the loop's end
            line("fault proxy: " + e);
        }
    }

    private void ready(SelectionKey key) {
        if (key.attachment() instanceof Integer index) {
            accept((ServerSocketChannel) key.channel(), index);
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.channel() == c.upstream) {
                if (key.isConnectable()) {
                    connected(c);
                    return;
                }
                if (key.isWritable()) {
                    sendRequest(c);
                }
                if (!c.done && key.isReadable()) {
                    readAnswer(c);
                }
            } else {
                if (key.isWritable() && c.waiting == WAIT_NONE) {
                    sendAnswer(c);
                }
                if (!c.done && key.isReadable()) {
                    readRequest(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            // A failure on either side resets both: a real peer's failure reaches the other end.
            abort(c);
        }
    }

    /**
     * Accepts what waits, each connection connected to the backend at once: a lone connection's request has gone on
     * before the accept that finds no more.
     */
    private void accept(ServerSocketChannel server, int index) {
        for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (client == null) {
                return;
            }
            accepted.incrementAndGet();
            if (down || refuseNow()) {
                resets.incrementAndGet();
                abort(client);
                continue;
            }
            Connection c = new Connection(client, index);
            connections.add(c);
            try {
                client.configureBlocking(false);
                c.clientKey = client.register(selector, 0, c);
            } catch (IOException | RuntimeException e) {
                abort(c);
                continue;
            }
            long latency = latencyMillis;
            if (latency > 0) {
                await(c, WAIT_SLOW, latency * 1_000_000L, true);
            } else {
                connect(c);
                prepareSpare();
            }
        }
    }

    /** Whether a new connection is reset at once: {@code reset} with no bytes allowed, or its turn under {@code flaky}. */
    private boolean refuseNow() {
        if (resetAfter == 0) {
            return true;
        }
        double fraction = flakyFraction;
        if (fraction <= 0) {
            return false;
        }
        flakyCredit += fraction;
        if (flakyCredit >= 1 - 1e-9) {
            flakyCredit -= 1;
            return true;
        }
        return false;
    }

    private void connect(Connection c) {
        if (closed || down || resetAfter == 0) {
            abort(c);
            return;
        }
        try {
            c.upstream = spare != null ? spare : upstreamSocket();
            spare = null;
            c.upstreamKey = c.upstream.register(selector, 0, c);
            // Resolved on each connect (the JDK caches the answer for a while): a backend that moved is found again.
            // A backend on the same host has usually answered the handshake before connect returns: on with it now,
            // rather than after another turn of the loop.
            if (c.upstream.connect(new InetSocketAddress(target, targetPorts[c.index])) || c.upstream.finishConnect()) {
                connected(c);
            } else {
                await(c, WAIT_CONNECT, CONNECT_TIMEOUT_NANOS, false);
            }
        } catch (IOException | RuntimeException e) {
            // The real backend refuses, or its name is unknown: the client sees its connection reset.
            abort(c);
        }
    }

    private void connected(Connection c) throws IOException {
        if (!c.upstream.finishConnect()) {
            return;
        }
        waiting.remove(c);
        c.waiting = WAIT_NONE;
        c.connected = true;
        open.incrementAndGet();
        if (closed || down || resetAfter == 0) {
            abort(c);
            return;
        }
        // The request is usually waiting already: read it now rather than after another turn of the loop.
        readRequest(c);
        if (!c.done) {
            // Only the answer goes this way: set once the request went on, while the backend works on it.
            c.client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    /** A socket for the next connection to the backend, made ready at leisure (see {@link #spare}). */
    private static SocketChannel upstreamSocket() throws IOException {
        SocketChannel socket = SocketChannel.open();
        try {
            socket.configureBlocking(false);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return socket;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** Keeps a spare socket for the next connection's backend, unless one waits already. */
    private void prepareSpare() {
        if (spare == null && !closed) {
            try {
                spare = upstreamSocket();
            } catch (IOException | RuntimeException e) {
                // the next connect makes its own, and fails there if it must
            }
        }
    }

    /** Client to backend: never held by a fault. */
    private void readRequest(Connection c) throws IOException {
        if (c.connected && !c.clientEof && c.toUpstream == null) {
            buffer.clear();
            int read = c.client.read(buffer);
            if (read < 0) {
                c.clientEof = true;
                if (finishIfDone(c)) {
                    return;
                }
                c.upstream.shutdownOutput();
            } else if (read > 0) {
                buffer.flip();
                c.upstream.write(buffer);
                c.toUpstream = buffer.hasRemaining() ? copyOf(buffer) : null;
            }
        }
        interest(c);
    }

    private void sendRequest(Connection c) throws IOException {
        if (c.toUpstream != null) {
            c.upstream.write(c.toUpstream);
            if (!c.toUpstream.hasRemaining()) {
                c.toUpstream = null;
            }
        }
        interest(c);
    }

    /** Backend to client: where reset-after counts, and slow-chunks and throttle hold the bytes. */
    private void readAnswer(Connection c) throws IOException {
        if (c.upstreamEof || c.toClient != null || c.waiting != WAIT_NONE || c.cut) {
            interest(c);
            return;
        }
        buffer.clear();
        int read = c.upstream.read(buffer);
        if (read < 0) {
            c.upstreamEof = true;
            if (!finishIfDone(c)) {
                c.client.shutdownOutput();
                interest(c);
            }
            return;
        }
        if (read == 0) {
            return;
        }
        buffer.flip();
        long after = resetAfter;
        if (after >= 0 && after - c.answered < read) {
            buffer.limit((int) Math.max(0, after - c.answered));
            c.cut = true;
            resets.incrementAndGet();
        }
        c.answered += buffer.remaining();
        if (chunkMillis > 0 || bytesPerSecond > 0) {
            c.toClient = copyOf(buffer);
            c.chunkHeld = false;
        } else {
            c.client.write(buffer);
            c.toClient = buffer.hasRemaining() ? copyOf(buffer) : null;
            c.chunkHeld = true;
        }
        sendAnswer(c);
    }

    /** Writes the pending answer as far as the client's window and the faults let it go. */
    private void sendAnswer(Connection c) throws IOException {
        ByteBuffer pending = c.toClient;
        while (pending != null && pending.hasRemaining()) {
            if (!c.chunkHeld) {
                c.chunkHeld = true;
                long pause = chunkMillis;
                if (pause > 0) {
                    await(c, WAIT_ANSWER, pause * 1_000_000L, true);
                    return;
                }
            }
            long rate = bytesPerSecond;
            int written;
            if (rate > 0) {
                int limit = pending.limit();
                long slice = Math.min(pending.remaining(), Math.max(1, rate / THROTTLE_SLICES_PER_SECOND));
                pending.limit(pending.position() + (int) slice);
                written = c.client.write(pending);
                pending.limit(limit);
            } else {
                written = c.client.write(pending);
            }
            if (written == 0) {
                interest(c); // the client's window is full: on with it when it is writable
                return;
            }
            if (rate > 0) {
                await(c, WAIT_ANSWER, written * 1_000_000_000L / rate, true);
                return;
            }
        }
        c.toClient = null;
        if (c.cut) {
            await(c, WAIT_CUT, CUT_PAUSE_NANOS, true);
            return;
        }
        interest(c);
    }

    /** What each end is waited on for, from the connection's state. */
    private void interest(Connection c) {
        if (c.done) {
            return;
        }
        boolean held = c.waiting != WAIT_NONE;
        c.clientKey.interestOps((c.connected && !c.clientEof && c.toUpstream == null ? SelectionKey.OP_READ : 0)
                | (c.toClient != null && !held ? SelectionKey.OP_WRITE : 0));
        if (c.upstreamKey != null) {
            c.upstreamKey.interestOps(!c.connected ? SelectionKey.OP_CONNECT
                    : (!c.upstreamEof && c.toClient == null && !held && !c.cut ? SelectionKey.OP_READ : 0)
                    | (c.toUpstream != null ? SelectionKey.OP_WRITE : 0));
        }
    }

    /**
     * Closes a connection whose both directions ended: the first end of stream went on as a half-close, the second
     * goes on as the close itself. The channels leave the selector now and are closed after its next select.
     */
    private boolean finishIfDone(Connection c) {
        if (!c.clientEof || !c.upstreamEof || c.toUpstream != null || c.toClient != null || c.waiting != WAIT_NONE) {
            return false;
        }
        c.done = true;
        connections.remove(c);
        open.decrementAndGet();
        c.clientKey.cancel();
        c.upstreamKey.cancel();
        finished.add(c.client);
        finished.add(c.upstream);
        return true;
    }

    /** Closes the first {@code count} finished channels. */
    private void closeFinished(int count) {
        List<SocketChannel> first = finished.subList(0, count);
        first.forEach(FaultProxy::closeQuietly);
        first.clear();
    }

    /** Waits {@code nanos} on the loop's clock; with {@code faultsEndIt}, a fault or heal ends the wait early. */
    private void await(Connection c, int what, long nanos, boolean faultsEndIt) {
        c.waiting = what;
        c.wakeAt = System.nanoTime() + nanos;
        c.wakeGeneration = faultsEndIt ? generation : -1;
        waiting.add(c);
        interest(c);
    }

    /**
     * -1: a wait is over already, or finished channels are to be closed (a select that does not block deregisters
     * them); 0: none is pending; else the milliseconds to the first one's end.
     */
    private long millisToNextWake() {
        if (!finished.isEmpty()) {
            return -1;
        }
        if (waiting.isEmpty()) {
            return 0;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (Connection c : waiting) {
            if (isOver(c, now)) {
                return -1;
            }
            next = Math.min(next, c.wakeAt - now);
        }
        return Math.max(1, (next + 999_999) / 1_000_000);
    }

    private boolean isOver(Connection c, long now) {
        return now - c.wakeAt >= 0 || (c.wakeGeneration >= 0 && c.wakeGeneration != generation);
    }

    /** Goes on with the connections whose wait is over. */
    private void wake() {
        if (waiting.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Connection c : List.copyOf(waiting)) {
            if (c.done || !isOver(c, now)) {
                continue;
            }
            waiting.remove(c);
            int what = c.waiting;
            c.waiting = WAIT_NONE;
            try {
                switch (what) {
                    case WAIT_SLOW -> connect(c);
                    case WAIT_ANSWER -> sendAnswer(c);
                    default -> abort(c); // the connect timed out, or reset-after's pause is over
                }
            } catch (IOException | RuntimeException e) {
                abort(c);
            }
        }
    }

    private void abort(Connection c) {
        if (c.done) {
            return;
        }
        c.done = true;
        connections.remove(c);
        waiting.remove(c);
        if (c.connected) {
            open.decrementAndGet();
        }
        abort(c.client);
        if (c.upstream != null) {
            abort(c.upstream);
        }
    }

    private void abortAll() {
        for (Connection c : List.copyOf(connections)) {
            abort(c);
        }
    }

    /**
     * Closes with SO_LINGER 0: the peer gets a reset (RST), not an orderly end. (A channel registered with the
     * selector is closed for good at the loop's next select, see {@link #flush()}.)
     */
    private static void abort(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // already closed
        }
        closeQuietly(channel);
    }

    private static ByteBuffer copyOf(ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes).flip();
        return copy;
    }

    /** Runs {@code task} on the loop, which owns the data path's state, and waits until it ran. */
    private void onLoop(Runnable task) {
        if (Thread.currentThread() == loop) {
            task.run();
            return;
        }
        CountDownLatch ran = new CountDownLatch(1);
        tasks.add(() -> {
            try {
                task.run();
            } finally {
                ran.countDown();
            }
        });
        selector.wakeup();
        try {
            while (!ran.await(50, TimeUnit.MILLISECONDS)) {
                if (!loop.isAlive()) {
                    runTasks(); // the loop is gone: nobody else will
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                line("fault proxy: " + e);
            }
        }
    }

    /**
     * Channels closed while registered are closed for good at the next select: this one, now. The keys it finds ready
     * are left to the loop's own select, which finds them again.
     */
    private void flush() {
        try {
            if (selector.isOpen()) {
                selector.selectNow(key -> { });
            }
        } catch (IOException e) {
            // the channels are closed with the selector
        }
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
        boolean refuse = normalized.equals("down");
        boolean resetOpen = refuse || (normalized.equals("reset") && resetAfter == 0);
        onLoop(() -> {
            flakyCredit = 0;
            if (refuse) {
                closeListeners();
            }
            if (resetOpen) {
                abortAll();
            }
            flush();
        });
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
        boolean listen = wasDown && !down;
        onLoop(() -> {
            flakyCredit = 0;
            if (listen) {
                reopenListeners();
            }
        });
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
        return "accepted=" + accepted.get() + " reset=" + resets.get() + " open=" + open.get();
    }

    /** The effective faults from the active ones (the loop's flaky credit starts again with the task that follows). */
    private void apply() {
        down = active.containsKey("down");
        latencyMillis = longOf(active.get("slow"), 0);
        chunkMillis = longOf(active.get("slow-chunks"), 0);
        bytesPerSecond = longOf(active.get("throttle"), 0);
        resetAfter = active.containsKey("reset") ? longOf(active.get("reset"), 0) : -1;
        String flaky = active.get("flaky");
        flakyFraction = flaky == null ? 0 : Double.parseDouble(flaky.substring(flaky.indexOf('=') + 1));
        generation++;
    }

    private static long longOf(String stored, long fallback) {
        return stored == null ? fallback : Long.parseLong(stored.substring(stored.indexOf('=') + 1));
    }

    /** On the loop; {@link #flush()} then frees the ports, so that a connection is refused, not reset. */
    private void closeListeners() {
        for (int i = 0; i < listeners.length; i++) {
            if (listeners[i] != null) {
                closeQuietly(listeners[i]);
                listeners[i] = null;
            }
        }
    }

    /** On the loop: the same ports again. */
    private void reopenListeners() {
        for (int i = 0; i < listeners.length; i++) {
            try {
                listeners[i] = bind(bindAddress, boundPorts[i]);
                listeners[i].register(selector, SelectionKey.OP_ACCEPT, i);
            } catch (IOException e) {
                if (listeners[i] != null) {
                    closeQuietly(listeners[i]);
                    listeners[i] = null;
                }
                line("cannot listen on :" + boundPorts[i] + " again: " + e.getMessage());
            }
        }
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
        closed = true;
        onLoop(() -> {
            closeListeners();
            abortAll();
            flush();
        });
        closeQuietly(control);
    }

    private static ServerSocketChannel bind(InetAddress address, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            // A healed down binds the same port again, while connections it reset may still linger.
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(address, port), 512);
            server.configureBlocking(false);
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
