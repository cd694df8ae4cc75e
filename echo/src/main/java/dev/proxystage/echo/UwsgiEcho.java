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
import java.util.Map;

/**
 * The echo as a uwsgi application, as nginx's {@code uwsgi_pass} talks to one: a four-byte header (modifier1 0,
 * the size of the variables, modifier2), the variables as pairs of 16-bit little-endian lengths and bytes, then
 * {@code CONTENT_LENGTH} bytes of body. The answer is an HTTP status line, headers and the JSON report, and the
 * connection closes, one request per connection as uwsgi has it.
 */
final class UwsgiEcho {

    private UwsgiEcho() {
    }

    static void serve(Socket socket, InputStream in, OutputStream out, Map<String, String> identity, String tag)
            throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new EOFException("connection closed inside a uwsgi header");
        }
        int size = (header[1] & 0xFF) | ((header[2] & 0xFF) << 8);
        byte[] vars = in.readNBytes(size);
        if (vars.length < size) {
            throw new EOFException("connection closed inside the uwsgi variables");
        }
        Map<String, List<String>> params = vars(vars);
        long length = 0;
        String contentLength = EchoJson.first(params, "CONTENT_LENGTH");
        if (!contentLength.isEmpty()) {
            try {
                length = Long.parseLong(contentLength.strip());
            } catch (NumberFormatException e) {
                throw new ProtocolException("uwsgi CONTENT_LENGTH is not a number: " + contentLength);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long bodyLength = length > 0 ? HttpEcho.readFixedBody(in, body, length) : 0;

        String method = EchoJson.first(params, "REQUEST_METHOD");
        String uri = EchoJson.first(params, "REQUEST_URI");
        String documentUri = EchoJson.first(params, "DOCUMENT_URI");
        String path = !documentUri.isEmpty() ? documentUri : HttpEcho.pathOf(uri);
        String special = HttpEcho.pathOf(uri);
        if (special.equals(HttpEcho.CLOSE_PATH)) {
            return;
        }
        int status = 200;
        if (special.startsWith(HttpEcho.STATUS_PREFIX)) {
            int wanted = HttpEcho.parseStatus(HttpEcho.segment(special, HttpEcho.STATUS_PREFIX.length()));
            status = wanted < 0 ? 400 : wanted;
        }
        String json = EchoJson.echoJson(identity, method, uri, path, EchoJson.first(params, "QUERY_STRING"),
                EchoJson.first(params, "SERVER_PROTOCOL"), FastCgiEcho.headers(params), bodyLength,
                EchoJson.echoedBody(body.toByteArray(), bodyLength), socket.getInetAddress().getHostAddress(),
                socket.getPort(), "uwsgi", params);
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + HttpEcho.reason(status) + "\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: " + payload.length + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(payload);
        out.flush();
        EchoServer.log("echo " + tag + " " + socket.getInetAddress().getHostAddress() + " \""
                + EchoServer.printable("uwsgi " + method + " " + uri) + "\" " + status);
    }

    /** The variables: 16-bit little-endian key length, key, 16-bit value length, value, repeated. */
    static Map<String, List<String>> vars(byte[] bytes) throws ProtocolException {
        Map<String, List<String>> vars = new LinkedHashMap<>();
        int at = 0;
        while (at < bytes.length) {
            if (at + 2 > bytes.length) {
                throw new ProtocolException("a uwsgi variable runs past the end of the packet");
            }
            int keyLength = (bytes[at] & 0xFF) | ((bytes[at + 1] & 0xFF) << 8);
            at += 2;
            if (at + keyLength + 2 > bytes.length) {
                throw new ProtocolException("a uwsgi variable runs past the end of the packet");
            }
            String key = new String(bytes, at, keyLength, StandardCharsets.ISO_8859_1);
            at += keyLength;
            int valueLength = (bytes[at] & 0xFF) | ((bytes[at + 1] & 0xFF) << 8);
            at += 2;
            if (at + valueLength > bytes.length) {
                throw new ProtocolException("a uwsgi variable runs past the end of the packet");
            }
            String value = new String(bytes, at, valueLength, StandardCharsets.UTF_8);
            at += valueLength;
            vars.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
        }
        return vars;
    }
}
