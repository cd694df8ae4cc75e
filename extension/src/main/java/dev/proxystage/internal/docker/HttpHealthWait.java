package dev.proxystage.internal.docker;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Healthy once {@code GET path} on the backend's port, reached as {@link BackendReach} says, answers 2xx or 3xx. */
final class HttpHealthWait extends PollingWait {

    private final BackendReach reach;
    private final String network;
    private final int port;
    private final String path;
    private final String hostHeader;
    private String address;

    HttpHealthWait(String subject, BackendReach reach, String network, int port, String path, String hostHeader) {
        super(subject);
        this.reach = reach;
        this.network = network;
        this.port = port;
        this.path = path;
        this.hostHeader = hostHeader;
    }

    private InetSocketAddress target() {
        if (address == null) {
            // Known once the container has started: the wait runs after the start's inspect.
            address = container.addressOn(network).orElse(null);
        }
        return new InetSocketAddress(reach.hostOf(address), reach.portOf(port, this::mappedPort));
    }

    @Override
    boolean probe() throws Exception {
        // A raw HTTP/1.0 exchange: no client pool or retries to reason about, one socket per probe.
        try (Socket socket = new Socket()) {
            socket.connect(target(), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: " + hostHeader + "\r\nUser-Agent: proxystage-health\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            String status = new String(head, StandardCharsets.US_ASCII);
            if (!status.startsWith("HTTP/") || status.length() < 12) {
                throw new IllegalStateException("no HTTP answer");
            }
            int code = Integer.parseInt(status.substring(9, 12));
            if (code >= 200 && code < 400) {
                return true;
            }
            throw new IllegalStateException("GET " + path + " answered " + code);
        }
    }

    @Override
    String readiness() {
        return "GET " + path + " on port " + port + " answered 2xx/3xx";
    }
}
