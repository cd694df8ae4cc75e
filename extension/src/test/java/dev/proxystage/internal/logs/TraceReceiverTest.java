package dev.proxystage.internal.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TraceReceiverTest {

    @Test
    void aDatagramToTheReceiversAddressIsIndexed() throws Exception {
        TraceIndex index = new TraceIndex("prep", new BackendAddresses());
        try (TraceReceiver receiver = TraceReceiver.open("127.0.0.1", index, "test").orElseThrow();
             DatagramSocket sender = new DatagramSocket()) {
            assertThat(receiver.address().getAddress().isLoopbackAddress()).isTrue();
            byte[] datagram = ("<190>Dec  1 09:30:00 proxystage: " + TraceLog.PREFIX
                    + "{\"id\":\"u1\",\"server\":\"a.test\",\"status\":\"204\",\"upstream\":\"\",\"request_time\":\"0.000\"}")
                    .getBytes(StandardCharsets.UTF_8);
            sender.send(new DatagramPacket(datagram, datagram.length, receiver.address()));

            assertThat(index.await("u1", Duration.ofSeconds(10))).get()
                    .satisfies(t -> assertThat(t.status()).isEqualTo(204));
        }
    }

    @Test
    void anAddressThatIsNotThisMachinesGivesNoReceiver() {
        TraceIndex index = new TraceIndex("prep", new BackendAddresses());
        // TEST-NET-1 (RFC 5737) is never a local interface: the stage falls back to the log stream.
        assertThat(TraceReceiver.open("192.0.2.1", index, "test")).isEmpty();
        assertThat(TraceReceiver.open("0.0.0.0", index, "test")).isEmpty();
    }
}
