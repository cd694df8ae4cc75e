package dev.proxystage.internal.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;

/**
 * Ready once a server inside the container listens on every given port (the ports some {@code listen} reaches from
 * outside the container: a listener on 127.0.0.1 alone could never answer from here). Docker's port proxy accepts connections
 * even when nothing listens behind it, but then closes them at once; a real server instead holds a silent
 * connection open waiting for the request. So "connected, and still open after a short read" means listening.
 */
final class ListeningWait extends PollingWait {

    private final String host;
    private final Set<Integer> ports;

    ListeningWait(String subject, String host, Set<Integer> ports) {
        super(subject);
        this.host = host;
        this.ports = Set.copyOf(ports);
    }

    @Override
    boolean probe() throws IOException {
        for (int port : ports) {
            if (!listening(mappedPort(port))) {
                return false;
            }
        }
        return true;
    }

    private boolean listening(int mapped) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, mapped), 1000);
            // Docker's proxy closes within a millisecond when nothing listens; 60 ms of silence is a listener.
            socket.setSoTimeout(60);
            try {
                return socket.getInputStream().read() >= 0;
            } catch (SocketTimeoutException heldOpen) {
                return true;
            }
        }
    }

    @Override
    String readiness() {
        return "it listened on " + ports;
    }
}
