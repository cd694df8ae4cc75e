package dev.proxystage.internal.logs;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The direct path for traces: a UDP socket on the stage network's gateway address (a local interface when the
 * engine runs on this machine; never the wildcard address), receiving nginx's syslog datagrams, one per request.
 */
public final class TraceReceiver implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread reader;

    private TraceReceiver(DatagramSocket socket, TraceIndex index, String name) {
        this.socket = socket;
        this.reader = new Thread(() -> read(index), "proxystage-traces-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** A receiver on {@code gateway}, or empty when that address is not this machine's (a remote engine). */
    public static Optional<TraceReceiver> open(String gateway, TraceIndex index, String name) {
        try {
            InetAddress address = InetAddress.getByName(gateway);
            if (address.isAnyLocalAddress()) {
                return Optional.empty();
            }
            return Optional.of(new TraceReceiver(new DatagramSocket(new InetSocketAddress(address, 0)), index, name));
        } catch (IOException notHere) {
            return Optional.empty();
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void read(TraceIndex index) {
        byte[] buffer = new byte[65_536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                index.accept(new String(packet.getData(), packet.getOffset(), packet.getLength(), StandardCharsets.UTF_8));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                // one bad datagram; keep receiving
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
