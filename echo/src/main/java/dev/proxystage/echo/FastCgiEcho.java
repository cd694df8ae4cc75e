package dev.proxystage.echo;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The echo as a FastCGI responder, as nginx's {@code fastcgi_pass} talks to PHP-FPM: {@code BEGIN_REQUEST}, the
 * {@code PARAMS} stream, the {@code STDIN} stream, answered by {@code STDOUT} (a CGI header block, {@code Status:}
 * and {@code Content-Type:}, then the JSON report) and {@code END_REQUEST}.
 *
 * <p>The report has the HTTP echo's shape: the method, URI, path and query come from {@code REQUEST_METHOD},
 * {@code REQUEST_URI}, {@code DOCUMENT_URI} and {@code QUERY_STRING}; the headers from the {@code HTTP_*} params
 * (and {@code CONTENT_TYPE}, {@code CONTENT_LENGTH}), so a header nginx sent twice shows twice; and
 * {@code "gateway"} holds every param as sent, a param set twice with both its values. The special paths
 * {@code /__echo/status/NNN}, {@code /__echo/sleep/MS} and {@code /__echo/close} work as over HTTP.
 */
final class FastCgiEcho {

    static final int BEGIN_REQUEST = 1;
    static final int ABORT_REQUEST = 2;
    static final int END_REQUEST = 3;
    static final int PARAMS = 4;
    static final int STDIN = 5;
    static final int STDOUT = 6;
    static final int DATA = 8;
    static final int GET_VALUES = 9;
    static final int GET_VALUES_RESULT = 10;
    static final int UNKNOWN_TYPE = 11;

    static final int RESPONDER = 1;
    static final int KEEP_CONN = 1;

    static final int REQUEST_COMPLETE = 0;
    static final int CANT_MPX_CONN = 1;
    static final int UNKNOWN_ROLE = 3;

    /** What a FastCGI record may carry: a 16-bit length. */
    private static final int MAX_CONTENT = 0xFFFF;
    private static final int MAX_PARAMS_BYTES = 1024 * 1024;
    private static final int MAX_PARAM_COUNT = 1024;

    private FastCgiEcho() {
    }

    /** Serves requests until the connection ends, or after one when nginx did not ask to keep it. */
    static void serve(Socket socket, InputStream in, OutputStream out, Map<String, String> identity, String tag)
            throws IOException {
        while (true) {
            int[] header = readHeader(in);
            if (header == null) {
                return;
            }
            int type = header[0];
            int id = header[1];
            byte[] content = readContent(in, header);
            if (id == 0) {
                management(out, type, content);
                continue;
            }
            if (type != BEGIN_REQUEST) {
                // A record of a request that is not open (an ABORT after the answer): nothing to answer.
                continue;
            }
            if (content.length < 8) {
                throw new ProtocolException("FCGI_BEGIN_REQUEST body of " + content.length + " bytes; it has 8");
            }
            int role = ((content[0] & 0xFF) << 8) | (content[1] & 0xFF);
            boolean keepConn = (content[2] & KEEP_CONN) != 0;
            if (role != RESPONDER) {
                endRequest(out, id, 0, UNKNOWN_ROLE);
                if (!keepConn) {
                    return;
                }
                continue;
            }
            if (!request(socket, in, out, id, identity, tag) || !keepConn) {
                return;
            }
        }
    }

    /** One responder request from PARAMS to END_REQUEST; false when the connection must close now. */
    private static boolean request(Socket socket, InputStream in, OutputStream out, int id,
                                   Map<String, String> identity, String tag) throws IOException {
        ByteArrayOutputStream paramBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long bodyLength = 0;
        boolean paramsDone = false;
        boolean stdinDone = false;
        while (!paramsDone || !stdinDone) {
            int[] header = readHeader(in);
            if (header == null) {
                throw new EOFException("connection closed inside a FastCGI request");
            }
            byte[] content = readContent(in, header);
            int type = header[0];
            int recordId = header[1];
            if (recordId == 0) {
                management(out, type, content);
                continue;
            }
            if (recordId != id) {
                // nginx never multiplexes; say so for a second request on the connection, as the spec asks.
                if (type == BEGIN_REQUEST) {
                    endRequest(out, recordId, 0, CANT_MPX_CONN);
                }
                continue;
            }
            switch (type) {
                case PARAMS:
                    if (content.length == 0) {
                        paramsDone = true;
                    } else if (paramBytes.size() + content.length > MAX_PARAMS_BYTES) {
                        throw new ProtocolException("FastCGI params larger than " + MAX_PARAMS_BYTES + " bytes");
                    } else {
                        paramBytes.write(content, 0, content.length);
                    }
                    break;
                case STDIN:
                    if (content.length == 0) {
                        stdinDone = true;
                    } else {
                        int room = HttpEcho.MAX_ECHOED_BODY_BYTES - body.size();
                        if (room > 0) {
                            body.write(content, 0, Math.min(room, content.length));
                        }
                        bodyLength += content.length;
                    }
                    break;
                case ABORT_REQUEST:
                    endRequest(out, id, 0, REQUEST_COMPLETE);
                    return true;
                case DATA:
                    break;
                default:
                    unknownType(out, type);
                    break;
            }
        }
        Map<String, List<String>> params = params(paramBytes.toByteArray());
        return respond(socket, out, id, identity, tag, params, body.toByteArray(), bodyLength);
    }

    private static boolean respond(Socket socket, OutputStream out, int id, Map<String, String> identity, String tag,
                                   Map<String, List<String>> params, byte[] body, long bodyLength) throws IOException {
        String method = EchoJson.first(params, "REQUEST_METHOD");
        String uri = EchoJson.first(params, "REQUEST_URI");
        String documentUri = EchoJson.first(params, "DOCUMENT_URI");
        String path = !documentUri.isEmpty() ? documentUri : HttpEcho.pathOf(uri);
        String requestLine = "fastcgi " + method + " " + uri;
        int status = 200;
        String special = HttpEcho.pathOf(uri);
        if (special.equals(HttpEcho.CLOSE_PATH)) {
            EchoServer.log("echo " + tag + " " + socket.getInetAddress().getHostAddress() + " \""
                    + EchoServer.printable(requestLine) + "\" closed");
            return false;
        }
        if (special.startsWith(HttpEcho.STATUS_PREFIX)) {
            int wanted = HttpEcho.parseStatus(HttpEcho.segment(special, HttpEcho.STATUS_PREFIX.length()));
            status = wanted < 0 ? 400 : wanted;
        } else if (special.startsWith(HttpEcho.SLEEP_PREFIX)) {
            long millis = HttpEcho.parseSleep(HttpEcho.segment(special, HttpEcho.SLEEP_PREFIX.length()));
            if (millis > 0) {
                EchoServer.pause(millis);
            }
        }
        String json = EchoJson.echoJson(identity, method, uri, path, EchoJson.first(params, "QUERY_STRING"),
                EchoJson.first(params, "SERVER_PROTOCOL"), headers(params), bodyLength,
                EchoJson.echoedBody(body, bodyLength), socket.getInetAddress().getHostAddress(), socket.getPort(),
                "fastcgi", params);
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        String head = "Status: " + status + " " + HttpEcho.reason(status) + "\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: " + payload.length + "\r\n\r\n";
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(head.length() + payload.length);
        stdout.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        stdout.writeBytes(payload);
        byte[] all = stdout.toByteArray();
        for (int offset = 0; offset < all.length; offset += MAX_CONTENT) {
            writeRecord(out, STDOUT, id, all, offset, Math.min(MAX_CONTENT, all.length - offset));
        }
        writeRecord(out, STDOUT, id, new byte[0], 0, 0);
        endRequest(out, id, 0, REQUEST_COMPLETE);
        EchoServer.log("echo " + tag + " " + socket.getInetAddress().getHostAddress() + " \""
                + EchoServer.printable(requestLine) + "\" " + status + " script=" + EchoServer.printable(
                EchoJson.first(params, "SCRIPT_FILENAME")));
        return true;
    }

    /** The request headers as nginx passed them: {@code HTTP_X_FORWARDED_PROTO} is {@code x-forwarded-proto}. */
    static Map<String, List<String>> headers(Map<String, List<String>> params) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        params.forEach((name, values) -> {
            String header = null;
            if (name.startsWith("HTTP_") && name.length() > 5) {
                header = name.substring(5).toLowerCase(Locale.ROOT).replace('_', '-');
            } else if (name.equals("CONTENT_TYPE") || name.equals("CONTENT_LENGTH")) {
                header = name.toLowerCase(Locale.ROOT).replace('_', '-');
            }
            if (header != null) {
                for (String value : values) {
                    // nginx sends CONTENT_TYPE and CONTENT_LENGTH empty when the request had none.
                    if (!value.isEmpty() || name.startsWith("HTTP_")) {
                        headers.computeIfAbsent(header, key -> new ArrayList<>(1)).add(value);
                    }
                }
            }
        });
        return headers;
    }

    /** Name-value pairs: each length one byte, or four with the top bit set (FastCGI 1.0, section 3.4). */
    static Map<String, List<String>> params(byte[] bytes) throws ProtocolException {
        Map<String, List<String>> params = new LinkedHashMap<>();
        int at = 0;
        int count = 0;
        while (at < bytes.length) {
            if (++count > MAX_PARAM_COUNT) {
                throw new ProtocolException("more than " + MAX_PARAM_COUNT + " FastCGI params");
            }
            int[] nameLength = length(bytes, at);
            at = nameLength[1];
            int[] valueLength = length(bytes, at);
            at = valueLength[1];
            if (nameLength[0] > bytes.length - at || valueLength[0] > bytes.length - at - nameLength[0]) {
                throw new ProtocolException("a FastCGI param runs past the end of the params stream");
            }
            String name = new String(bytes, at, nameLength[0], StandardCharsets.ISO_8859_1);
            at += nameLength[0];
            String value = new String(bytes, at, valueLength[0], StandardCharsets.UTF_8);
            at += valueLength[0];
            params.computeIfAbsent(name, key -> new ArrayList<>(1)).add(value);
        }
        return params;
    }

    /** {length, offset after it}. */
    private static int[] length(byte[] bytes, int at) throws ProtocolException {
        if (at >= bytes.length) {
            throw new ProtocolException("a FastCGI param length runs past the end of the params stream");
        }
        int b0 = bytes[at] & 0xFF;
        if ((b0 & 0x80) == 0) {
            return new int[] {b0, at + 1};
        }
        if (at + 4 > bytes.length) {
            throw new ProtocolException("a FastCGI param length runs past the end of the params stream");
        }
        int length = ((b0 & 0x7F) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8)
                | (bytes[at + 3] & 0xFF);
        return new int[] {length, at + 4};
    }

    /** Management records (request id 0): GET_VALUES is answered, anything else is an unknown type. */
    private static void management(OutputStream out, int type, byte[] content) throws IOException {
        if (type != GET_VALUES) {
            unknownType(out, type);
            return;
        }
        Map<String, List<String>> asked = params(content);
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        for (String name : asked.keySet()) {
            String value = switch (name) {
                case "FCGI_MAX_CONNS" -> "128";
                case "FCGI_MAX_REQS" -> "128";
                case "FCGI_MPXS_CONNS" -> "0";
                default -> null;
            };
            if (value != null) {
                writePair(result, name, value);
            }
        }
        byte[] bytes = result.toByteArray();
        writeRecord(out, GET_VALUES_RESULT, 0, bytes, 0, bytes.length);
        out.flush();
    }

    private static void unknownType(OutputStream out, int type) throws IOException {
        byte[] body = new byte[8];
        body[0] = (byte) type;
        writeRecord(out, UNKNOWN_TYPE, 0, body, 0, body.length);
        out.flush();
    }

    static void writePair(ByteArrayOutputStream out, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        writeLength(out, n.length);
        writeLength(out, v.length);
        out.writeBytes(n);
        out.writeBytes(v);
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else {
            out.write(0x80 | (length >>> 24));
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
        }
    }

    private static void endRequest(OutputStream out, int id, int appStatus, int protocolStatus) throws IOException {
        byte[] body = {(byte) (appStatus >>> 24), (byte) (appStatus >>> 16), (byte) (appStatus >>> 8),
                (byte) appStatus, (byte) protocolStatus, 0, 0, 0};
        writeRecord(out, END_REQUEST, id, body, 0, body.length);
        out.flush();
    }

    /** One record, padded to a multiple of 8 bytes as the spec recommends. */
    static void writeRecord(OutputStream out, int type, int id, byte[] content, int offset, int length)
            throws IOException {
        int padding = (8 - (length % 8)) % 8;
        out.write(new byte[] {1, (byte) type, (byte) (id >>> 8), (byte) id, (byte) (length >>> 8), (byte) length,
                (byte) padding, 0});
        out.write(content, offset, length);
        out.write(new byte[padding]);
    }

    /** {type, request id, content length, padding length}, or null at a clean end of the stream. */
    private static int[] readHeader(InputStream in) throws IOException {
        int version = in.read();
        if (version < 0) {
            return null;
        }
        byte[] rest = in.readNBytes(7);
        if (rest.length < 7) {
            throw new EOFException("connection closed inside a FastCGI record header");
        }
        if (version != 1) {
            throw new ProtocolException("FastCGI version " + version + "; only version 1 exists");
        }
        return new int[] {rest[0] & 0xFF, ((rest[1] & 0xFF) << 8) | (rest[2] & 0xFF),
                ((rest[3] & 0xFF) << 8) | (rest[4] & 0xFF), rest[5] & 0xFF};
    }

    private static byte[] readContent(InputStream in, int[] header) throws IOException {
        byte[] content = in.readNBytes(header[2]);
        if (content.length < header[2] || in.readNBytes(header[3]).length < header[3]) {
            throw new EOFException("connection closed inside a FastCGI record");
        }
        return content;
    }
}
