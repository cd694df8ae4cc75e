package dev.proxystage.internal.probes;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;

/**
 * The first flight of a TLS 1.0 or 1.1 handshake, written by hand.
 *
 * <p>Java's own TLS stack cannot ask: {@code jdk.tls.disabledAlgorithms} disables TLSv1 and TLSv1.1, and it is read
 * once per JVM, so a probe cannot re-enable them for its own context only. This class sends a ClientHello that offers
 * only the probed version and the CBC cipher suites of that era (ECDHE-ECDSA, ECDHE-RSA, DHE-RSA and RSA key
 * exchange), then reads the server's answer. The server <em>accepts</em> the version when it answers with a
 * ServerHello for it and completes its first flight up to ServerHelloDone (so it has also signed its key exchange);
 * anything else (an alert, a closed connection, a higher version, silence) is a refusal. No key exchange follows:
 * the connection is closed after the server's first flight.
 */
final class TlsHello {

    /** The versions the probe offers. */
    enum Version {
        TLS_1_0(0x0301, "TLSv1"),
        TLS_1_1(0x0302, "TLSv1.1");

        final int code;
        final String label;

        Version(int code, String label) {
            this.code = code;
            this.label = label;
        }
    }

    /**
     * The server's answer.
     *
     * @param accepted whether it negotiated the offered version and completed its first flight
     * @param detail   what it answered, in words
     */
    record Result(boolean accepted, String detail) {
    }

    static final int[] CIPHER_SUITES = {
        0xC00A, 0xC009, // ECDHE-ECDSA-AES256-SHA, ECDHE-ECDSA-AES128-SHA
        0xC014, 0xC013, // ECDHE-RSA-AES256-SHA, ECDHE-RSA-AES128-SHA
        0x0039, 0x0033, // DHE-RSA-AES256-SHA, DHE-RSA-AES128-SHA
        0x0035, 0x002F, // AES256-SHA, AES128-SHA
        0xC012, 0x000A, // ECDHE-RSA-DES-CBC3-SHA, DES-CBC3-SHA
        0x00FF          // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    };

    private static final Map<Integer, String> SUITE_NAMES = Map.of(0xC00A, "ECDHE-ECDSA-AES256-SHA",
            0xC009, "ECDHE-ECDSA-AES128-SHA", 0xC014, "ECDHE-RSA-AES256-SHA", 0xC013, "ECDHE-RSA-AES128-SHA",
            0x0039, "DHE-RSA-AES256-SHA", 0x0033, "DHE-RSA-AES128-SHA", 0x0035, "AES256-SHA", 0x002F, "AES128-SHA",
            0xC012, "ECDHE-RSA-DES-CBC3-SHA", 0x000A, "DES-CBC3-SHA");

    private static final Map<Integer, String> ALERTS = Map.ofEntries(Map.entry(10, "unexpected_message"),
            Map.entry(40, "handshake_failure"), Map.entry(47, "illegal_parameter"), Map.entry(50, "decode_error"),
            Map.entry(70, "protocol_version"), Map.entry(71, "insufficient_security"), Map.entry(80, "internal_error"),
            Map.entry(86, "inappropriate_fallback"), Map.entry(112, "unrecognized_name"));

    private static final int MAX_RECORDS = 32;
    private static final int MAX_HANDSHAKE_BYTES = 128 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TlsHello() {
    }

    /** Offers only {@code version} on the connected {@code socket} (with SNI {@code serverName} if given). */
    static Result offer(Socket socket, Version version, Optional<String> serverName) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(clientHello(version, serverName));
        out.flush();
        return readServerFlight(new DataInputStream(socket.getInputStream()), version);
    }

    /** The ClientHello record. */
    static byte[] clientHello(Version version, Optional<String> serverName) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, version.code);
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id: always a full handshake
        writeShort(body, CIPHER_SUITES.length * 2);
        for (int suite : CIPHER_SUITES) {
            writeShort(body, suite);
        }
        body.write(1);
        body.write(0); // null compression only

        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        serverName.ifPresent(name -> {
            byte[] host = name.getBytes(StandardCharsets.US_ASCII);
            writeShort(extensions, 0x0000);
            writeShort(extensions, host.length + 5);
            writeShort(extensions, host.length + 3);
            extensions.write(0); // host_name
            writeShort(extensions, host.length);
            extensions.writeBytes(host);
        });
        int[] groups = {0x001D, 0x0017, 0x0018, 0x0019}; // x25519, secp256r1, secp384r1, secp521r1
        writeShort(extensions, 0x000A);
        writeShort(extensions, groups.length * 2 + 2);
        writeShort(extensions, groups.length * 2);
        for (int group : groups) {
            writeShort(extensions, group);
        }
        writeShort(extensions, 0x000B); // ec_point_formats: uncompressed
        writeShort(extensions, 2);
        extensions.write(1);
        extensions.write(0);
        writeShort(body, extensions.size());
        body.writeBytes(extensions.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(22); // handshake
        writeShort(record, 0x0301); // record version TLS 1.0, as clients send it
        writeShort(record, body.size() + 4);
        record.write(1); // client_hello
        record.write(body.size() >>> 16);
        writeShort(record, body.size() & 0xFFFF);
        record.writeBytes(body.toByteArray());
        return record.toByteArray();
    }

    /** Reads records until ServerHelloDone, an alert, the end of the stream, or a bound. */
    static Result readServerFlight(DataInputStream in, Version offered) throws IOException {
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        int parsed = 0;
        Optional<String> serverHello = Optional.empty();
        int negotiated = -1;
        try {
            for (int records = 0; records < MAX_RECORDS; records++) {
                int type = in.readUnsignedByte();
                in.readUnsignedShort(); // record version
                int length = in.readUnsignedShort();
                if (length > 18_432) {
                    return new Result(false, "answered with a record of " + length + " bytes, which is not TLS");
                }
                byte[] fragment = new byte[length];
                in.readFully(fragment);
                if (type == 21) {
                    String alert = fragment.length >= 2 ? ALERTS.getOrDefault(fragment[1] & 0xFF, "alert " + (fragment[1] & 0xFF)) : "alert";
                    return new Result(false, serverHello.map(h -> h + ", then ").orElse("") + "refused with alert " + alert);
                }
                if (type != 22) {
                    continue; // change_cipher_spec and the like cannot come before ServerHelloDone
                }
                handshake.writeBytes(fragment);
                if (handshake.size() > MAX_HANDSHAKE_BYTES) {
                    return new Result(false, "first flight longer than " + MAX_HANDSHAKE_BYTES + " bytes");
                }
                byte[] bytes = handshake.toByteArray();
                while (bytes.length - parsed >= 4) {
                    int messageType = bytes[parsed] & 0xFF;
                    int messageLength = (bytes[parsed + 1] & 0xFF) << 16 | (bytes[parsed + 2] & 0xFF) << 8 | bytes[parsed + 3] & 0xFF;
                    if (bytes.length - parsed - 4 < messageLength) {
                        break;
                    }
                    int start = parsed + 4;
                    if (messageType == 2) { // server_hello
                        if (messageLength < 38) {
                            return new Result(false, "answered with a malformed ServerHello");
                        }
                        negotiated = (bytes[start] & 0xFF) << 8 | bytes[start + 1] & 0xFF;
                        int sessionIdLength = bytes[start + 34] & 0xFF;
                        int suiteAt = start + 35 + sessionIdLength;
                        int suite = suiteAt + 1 < start + messageLength
                                ? (bytes[suiteAt] & 0xFF) << 8 | bytes[suiteAt + 1] & 0xFF : -1;
                        serverHello = Optional.of("ServerHello " + versionName(negotiated) + " with "
                                + SUITE_NAMES.getOrDefault(suite, String.format("cipher suite 0x%04X", suite)));
                        if (negotiated > offered.code || negotiated < 0x0301) {
                            return new Result(false, serverHello.get() + ", which is not the offered version");
                        }
                    } else if (messageType == 14) { // server_hello_done
                        if (serverHello.isEmpty()) {
                            return new Result(false, "ServerHelloDone without a ServerHello");
                        }
                        return new Result(true, serverHello.get() + ", Certificate, ServerKeyExchange and ServerHelloDone:"
                                + " the server accepts " + versionName(negotiated));
                    }
                    parsed = start + messageLength;
                }
            }
            return new Result(false, "no ServerHelloDone within " + MAX_RECORDS + " records");
        } catch (EOFException e) {
            return new Result(false, serverHello.map(h -> h + ", then ").orElse("") + "closed the connection");
        } catch (SocketTimeoutException e) {
            return new Result(false, serverHello.map(h -> h + ", then ").orElse("") + "no answer within the timeout");
        } catch (SocketException e) {
            return new Result(false, serverHello.map(h -> h + ", then ").orElse("") + "reset the connection (" + e.getMessage() + ")");
        }
    }

    static String versionName(int code) {
        return switch (code) {
            case 0x0300 -> "SSLv3";
            case 0x0301 -> "TLSv1";
            case 0x0302 -> "TLSv1.1";
            case 0x0303 -> "TLSv1.2";
            case 0x0304 -> "TLSv1.3";
            default -> String.format("version 0x%04X", code);
        };
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8 & 0xFF);
        out.write(value & 0xFF);
    }
}
