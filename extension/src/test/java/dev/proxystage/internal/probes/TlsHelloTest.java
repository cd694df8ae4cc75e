package dev.proxystage.internal.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.probes.TlsHello.Result;
import dev.proxystage.internal.probes.TlsHello.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TlsHelloTest {

    @Test
    void clientHelloOffersOnlyTheProbedVersion() {
        byte[] hello = TlsHello.clientHello(Version.TLS_1_1, Optional.of("vw.example.com"));

        assertThat(hello[0]).isEqualTo((byte) 22);                       // handshake record
        assertThat(hello[1] << 8 | hello[2]).isEqualTo(0x0301);           // record version
        assertThat((hello[3] & 0xFF) << 8 | hello[4] & 0xFF).isEqualTo(hello.length - 5);
        assertThat(hello[5]).isEqualTo((byte) 1);                         // client_hello
        assertThat((hello[6] & 0xFF) << 16 | (hello[7] & 0xFF) << 8 | hello[8] & 0xFF).isEqualTo(hello.length - 9);
        assertThat(hello[9] << 8 | hello[10]).isEqualTo(0x0302);          // client_version: TLS 1.1 at most
        assertThat(new String(hello, StandardCharsets.ISO_8859_1)).contains("vw.example.com");
        // No TLS_FALLBACK_SCSV (0x5600): a server that speaks TLS 1.2 must not abort as on a downgrade.
        int suitesLength = (hello[44] & 0xFF) << 8 | hello[45] & 0xFF;
        assertThat(suitesLength).isEqualTo(TlsHello.CIPHER_SUITES.length * 2);
        for (int i = 0; i < suitesLength; i += 2) {
            int suite = (hello[46 + i] & 0xFF) << 8 | hello[47 + i] & 0xFF;
            assertThat(suite).isNotEqualTo(0x5600);
        }
    }

    @Test
    void withoutServerNameThereIsNoSni() {
        byte[] without = TlsHello.clientHello(Version.TLS_1_0, Optional.empty());
        byte[] with = TlsHello.clientHello(Version.TLS_1_0, Optional.of("a.example"));

        assertThat(with.length - without.length).isEqualTo(9 + "a.example".length());
    }

    @Test
    void serverHelloThroughServerHelloDoneIsAcceptance() throws Exception {
        // ServerHello, Certificate and ServerKeyExchange in one record, ServerHelloDone in the next.
        byte[] flight = concat(serverHello(0x0301, 0xC00A), message(11, new byte[40]), message(12, new byte[20]));
        byte[] answer = concat(record(22, Arrays.copyOfRange(flight, 0, 30)), record(22, Arrays.copyOfRange(flight, 30, flight.length)),
                record(22, message(14, new byte[0])));

        Result result = read(answer, Version.TLS_1_0);

        assertThat(result.accepted()).isTrue();
        assertThat(result.detail()).startsWith("ServerHello TLSv1 with ECDHE-ECDSA-AES256-SHA").endsWith("the server accepts TLSv1");
    }

    @Test
    void alertIsRefusal() throws Exception {
        assertThat(read(record(21, new byte[] {2, 70}), Version.TLS_1_0))
                .isEqualTo(new Result(false, "refused with alert protocol_version"));
        // OpenSSL 3 at security level 1: TLS 1.0 allowed by ssl_protocols, but nothing to sign with.
        assertThat(read(record(21, new byte[] {2, 80}), Version.TLS_1_1).detail()).isEqualTo("refused with alert internal_error");
    }

    @Test
    void serverHelloFollowedByAnAlertOrTheEndIsRefusal() throws Exception {
        Result alert = read(concat(record(22, serverHello(0x0302, 0xC013)), record(21, new byte[] {2, 40})), Version.TLS_1_1);
        assertThat(alert.accepted()).isFalse();
        assertThat(alert.detail()).isEqualTo("ServerHello TLSv1.1 with ECDHE-RSA-AES128-SHA, then refused with alert handshake_failure");

        Result closed = read(record(22, serverHello(0x0301, 0x002F)), Version.TLS_1_0);
        assertThat(closed).isEqualTo(new Result(false, "ServerHello TLSv1 with AES128-SHA, then closed the connection"));
        assertThat(read(new byte[0], Version.TLS_1_0)).isEqualTo(new Result(false, "closed the connection"));
    }

    @Test
    void higherVersionThanOfferedIsRefusal() throws Exception {
        Result result = read(concat(record(22, serverHello(0x0303, 0xC02F)), record(22, message(14, new byte[0]))), Version.TLS_1_0);

        assertThat(result.accepted()).isFalse();
        assertThat(result.detail()).contains("TLSv1.2").contains("not the offered version");
    }

    @Test
    void plainHttpAnswerIsNotTls() throws Exception {
        Result result = read("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII), Version.TLS_1_0);

        assertThat(result.accepted()).isFalse();
    }

    private static Result read(byte[] answer, Version version) throws Exception {
        return TlsHello.readServerFlight(new DataInputStream(new ByteArrayInputStream(answer)), version);
    }

    private static byte[] serverHello(int version, int suite) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version & 0xFF);
        body.writeBytes(new byte[32]);
        body.write(0); // session id
        body.write(suite >> 8);
        body.write(suite & 0xFF);
        body.write(0); // compression
        return message(2, body.toByteArray());
    }

    private static byte[] message(int type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(body.length >> 16);
        out.write(body.length >> 8 & 0xFF);
        out.write(body.length & 0xFF);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] record(int type, byte[] fragment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(3);
        out.write(1);
        out.write(fragment.length >> 8);
        out.write(fragment.length & 0xFF);
        out.writeBytes(fragment);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
