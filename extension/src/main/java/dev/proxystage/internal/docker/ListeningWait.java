package dev.proxystage.internal.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Ready once a server inside the container listens on every given port (the ports some {@code listen} reaches from
 * outside the container: a listener on 127.0.0.1 alone could never answer from here). Docker's port proxy accepts connections
 * even when nothing listens behind it, but then closes them at once; a real server instead holds a silent
 * connection open waiting for the request. So "connected, and still open after a short read" means listening.
 */
final class ListeningWait extends PollingWait {

    private static final long SILENCE_NANOS = 60_000_000;

    private final String host;
    private final Set<Integer> ports;

    ListeningWait(String subject, String host, Set<Integer> ports) {
        super(subject);
        this.host = host;
        this.ports = Set.copyOf(ports);
    }

    @Override
    boolean probe() throws IOException {
        // Every port is connected first, then all wait out one window of silence together, not one after another.
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int port : ports) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress(host, mappedPort(port)), 1000);
            }
            // Docker's proxy closes within a millisecond when nothing listens; 60 ms of silence is a listener.
            long silentUntil = System.nanoTime() + SILENCE_NANOS;
            for (Socket socket : sockets) {
                if (!listening(socket, silentUntil)) {
                    return false;
                }
            }
            return true;
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static boolean listening(Socket socket, long silentUntil) throws IOException {
        socket.setSoTimeout((int) Math.max(1, (silentUntil - System.nanoTime()) / 1_000_000));
        try {
            return socket.getInputStream().read() >= 0;
        } catch (SocketTimeoutException heldOpen) {
            return true;
        }
    }

    @Override
    String readiness() {
        return "it listened on " + ports;
    }
}
