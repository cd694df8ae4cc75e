package dev.proxystage.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The least a Java forwarder can do, for {@link FaultProxyBench}'s floor: blocking sockets, a pooled thread per
 * direction, no control port and no faults. It runs in the same JRE image with the same JVM flags as the fault proxy,
 * shipped as this one class file (hence no nested classes), so the bench shows what Java itself costs in that place.
 *
 * <pre>java -cp DIR dev.proxystage.bench.BareForwarder TARGET_HOST TARGET_PORT LISTEN_PORT</pre>
 */
public final class BareForwarder {

    private BareForwarder() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        InetSocketAddress target = new InetSocketAddress(resolved(args[0]), Integer.parseInt(args[1]));
        ExecutorService threads = Executors.newCachedThreadPool();
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[2]), 512)) {
            while (true) {
                Socket client = server.accept();
                threads.execute(() -> serve(client, target, threads));
            }
        }
    }

    /** The target's address, once the stage network's DNS knows it (resolved once, as nginx's stream module does). */
    private static InetAddress resolved(String host) throws InterruptedException {
        while (true) {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                Thread.sleep(100);
            }
        }
    }

    private static void serve(Socket client, InetSocketAddress target, ExecutorService threads) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(target);
            AtomicInteger ended = new AtomicInteger();
            threads.execute(() -> copy(upstream, client, ended));
            copy(client, upstream, ended);
        } catch (IOException e) {
            closeBoth(client, upstream);
        }
    }

    /** Copies until the end, then passes the half-close on; the second direction to end closes both sockets. */
    private static void copy(Socket from, Socket to, AtomicInteger ended) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
            if (ended.incrementAndGet() == 2) {
                closeBoth(from, to);
            }
        } catch (IOException e) {
            closeBoth(from, to);
        }
    }

    private static void closeBoth(Socket a, Socket b) {
        try {
            a.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            b.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
