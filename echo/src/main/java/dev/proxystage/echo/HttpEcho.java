package dev.proxystage.echo;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The echo's HTTP/1.1 side: one request after another on a connection, each answered with the JSON report, framing
 * checked as strictly as real servers check it, and WebSocket upgrades echoed frame by frame.
 *
 * <p>Special paths: {@code /__echo/status/NNN} answers status NNN, {@code /__echo/close} closes the connection
 * without a response, {@code /__echo/sleep/MS} waits MS milliseconds (at most 30 s) first.
 */
final class HttpEcho {

    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    static final String STATUS_PREFIX = "/__echo/status/";
    static final String SLEEP_PREFIX = "/__echo/sleep/";
    static final String CLOSE_PATH = "/__echo/close";

    private static final int MAX_LINE_BYTES = 16 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_HEADER_COUNT = 256;
    private static final int MAX_LEADING_EMPTY_LINES = 8;
    static final int MAX_ECHOED_BODY_BYTES = 64 * 1024;
    private static final long MAX_SLEEP_MILLIS = 30_000;
    private static final int MAX_WEBSOCKET_MESSAGE_BYTES = 16 * 1024 * 1024;

    private HttpEcho() {
    }

    /** Serves one request; returns true when the connection stays open for the next one. */
    static boolean serveRequest(Socket socket, InputStream in, OutputStream out,
                                        Map<String, String> identity, String tag) throws IOException {
        String requestLine = null;
        String method;
        String target;
        String protocol;
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long bodyLength = 0;
        try {
            requestLine = readLine(in);
            for (int empty = 0; requestLine != null && requestLine.isEmpty(); empty++) {
                if (empty >= MAX_LEADING_EMPTY_LINES) {
                    throw new ProtocolException("too many empty lines before the request line");
                }
                requestLine = readLine(in);
            }
            if (requestLine == null) {
                return false; // clean close between requests
            }
            String[] parts = requestLine.split(" ", -1);
            if (parts.length != 3 || !isToken(parts[0]) || !isRequestTarget(parts[1])) {
                throw new ProtocolException("malformed request line");
            }
            method = parts[0];
            target = parts[1];
            protocol = parts[2];
            if (!protocol.equals("HTTP/1.1") && !protocol.equals("HTTP/1.0")) {
                if (protocol.matches("HTTP/[0-9]\\.[0-9]")) {
                    sendError(out, identity, 505, "unsupported HTTP version " + protocol, false);
                    logLine(tag, socket, requestLine, "505", headers);
                    return false;
                }
                throw new ProtocolException("malformed protocol version");
            }
            readHeaders(in, headers);
            checkFraming(headers);

            List<String> transferEncoding = headers.get("transfer-encoding");
            List<String> contentLength = headers.get("content-length");
            if (transferEncoding != null) {
                if (!"chunked".equals(lastCoding(transferEncoding))) {
                    throw new ProtocolException("unsupported Transfer-Encoding (" + String.join(", ", transferEncoding)
                            + "); only chunked is understood");
                }
                sendContinueIfExpected(out, protocol, headers);
                bodyLength = readChunkedBody(in, body);
            } else if (contentLength != null) {
                long length = parseContentLength(contentLength);
                if (length > 0) {
                    sendContinueIfExpected(out, protocol, headers);
                }
                bodyLength = readFixedBody(in, body, length);
            }
        } catch (ProtocolException e) {
            sendError(out, identity, 400, e.getMessage(), false);
            logLine(tag, socket, requestLine == null ? "-" : requestLine, "400", headers);
            return false;
        }

        boolean http11 = protocol.equals("HTTP/1.1");
        String connection = joinedLower(headers, "connection");
        boolean keepAlive = (http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive"));

        if (http11 && method.equals("GET") && hasToken(joinedLower(headers, "upgrade"), "websocket")
                && hasToken(connection, "upgrade") && headers.containsKey("sec-websocket-key")) {
            acceptWebSocket(out, headers);
            logLine(tag, socket, requestLine, "101", headers);
            socket.setSoTimeout(0); // an open WebSocket may legitimately stay quiet
            serveWebSocket(in, out);
            return false;
        }

        String path = pathOf(target);
        int status = 200;
        if (path.equals(CLOSE_PATH)) {
            logLine(tag, socket, requestLine, "closed", headers);
            return false; // the caller closes the socket without writing anything
        }
        if (path.startsWith(STATUS_PREFIX)) {
            status = parseStatus(segment(path, STATUS_PREFIX.length()));
            if (status < 0) {
                sendError(out, identity, 400, "status must be a number between 200 and 599", keepAlive);
                logLine(tag, socket, requestLine, "400", headers);
                return keepAlive;
            }
        } else if (path.startsWith(SLEEP_PREFIX)) {
            long millis = parseSleep(segment(path, SLEEP_PREFIX.length()));
            if (millis < 0) {
                sendError(out, identity, 400, "sleep must be a number of milliseconds", keepAlive);
                logLine(tag, socket, requestLine, "400", headers);
                return keepAlive;
            }
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        int query = target.indexOf('?');
        String json = EchoJson.echoJson(identity, method, target, path, query < 0 ? "" : target.substring(query + 1),
                protocol, headers, bodyLength, EchoJson.echoedBody(body.toByteArray(), bodyLength),
                socket.getInetAddress().getHostAddress(), socket.getPort());
        boolean withoutBody = status == 204 || status == 304;
        byte[] payload = withoutBody ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(160);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        if (!withoutBody) {
            head.append("Content-Type: application/json; charset=utf-8\r\n");
            head.append("Content-Length: ").append(payload.length).append("\r\n");
        }
        head.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            out.write(payload);
        }
        out.flush();
        logLine(tag, socket, requestLine, Integer.toString(status), headers);
        return keepAlive;
    }

    private static void readHeaders(InputStream in, Map<String, List<String>> headers) throws IOException {
        int total = 0;
        int count = 0;
        while (true) {
            String line = requireLine(in);
            if (line.isEmpty()) {
                return;
            }
            total += line.length() + 2;
            if (total > MAX_HEADER_BYTES || ++count > MAX_HEADER_COUNT) {
                throw new ProtocolException("request header section too large");
            }
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') {
                throw new ProtocolException("obsolete header line folding");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new ProtocolException("malformed header line");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = trimWhitespace(line.substring(colon + 1));
            headers.computeIfAbsent(name, key -> new ArrayList<>(1)).add(value);
        }
    }

    /**
     * Refuses what real servers refuse, because a proxy that sends it breaks behind them (request smuggling,
     * ambiguous virtual host): the message names what was wrong and the values that came.
     */
    private static void checkFraming(Map<String, List<String>> headers) throws ProtocolException {
        List<String> hosts = headers.get("host");
        if (hosts != null && hosts.size() > 1) {
            throw new ProtocolException(hosts.size() + " Host headers (" + String.join(", ", hosts)
                    + "); RFC 9112 \u00a73.2 allows one");
        }
        List<String> transferEncoding = headers.get("transfer-encoding");
        List<String> contentLength = headers.get("content-length");
        if (transferEncoding != null && contentLength != null) {
            throw new ProtocolException("Content-Length (" + String.join(", ", contentLength)
                    + ") together with Transfer-Encoding (" + String.join(", ", transferEncoding)
                    + "); RFC 9112 \u00a76.1 forbids sending both");
        }
        if (contentLength != null) {
            parseContentLength(contentLength);
        }
    }

    private static void sendContinueIfExpected(OutputStream out, String protocol, Map<String, List<String>> headers)
            throws IOException {
        if (protocol.equals("HTTP/1.1") && joinedLower(headers, "expect").equals("100-continue")) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    private static long parseContentLength(List<String> values) throws ProtocolException {
        long length = -1;
        String all = String.join(", ", values);
        for (String value : values) {
            for (String item : value.split(",", -1)) {
                String digits = trimWhitespace(item);
                if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new ProtocolException("malformed Content-Length (" + all + "); RFC 9110 \u00a78.6 wants digits");
                }
                long parsed = Long.parseLong(digits);
                if (length >= 0 && parsed != length) {
                    throw new ProtocolException("conflicting Content-Length values (" + all
                            + "); RFC 9110 \u00a78.6 allows one length");
                }
                length = parsed;
            }
        }
        return length;
    }

    private static String lastCoding(List<String> values) {
        String last = "";
        for (String value : values) {
            for (String item : value.split(",")) {
                String coding = trimWhitespace(item).toLowerCase(Locale.ROOT);
                if (!coding.isEmpty()) {
                    last = coding;
                }
            }
        }
        return last;
    }

    /** Reads exactly {@code length} bytes, keeping the first 64 KiB (in total) in {@code kept}. */
    static long readFixedBody(InputStream in, ByteArrayOutputStream kept, long length) throws IOException {
        byte[] buffer = new byte[8192];
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new EOFException("request body ended early");
            }
            int room = MAX_ECHOED_BODY_BYTES - kept.size();
            if (room > 0) {
                kept.write(buffer, 0, Math.min(room, n));
            }
            remaining -= n;
        }
        return length;
    }

    private static long readChunkedBody(InputStream in, ByteArrayOutputStream kept) throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = requireLine(in);
            int extension = sizeLine.indexOf(';');
            String hex = trimWhitespace(extension >= 0 ? sizeLine.substring(0, extension) : sizeLine);
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new ProtocolException("bad chunk size '" + EchoServer.printable(sizeLine)
                        + "'; RFC 9112 \u00a77.1 wants hexadecimal digits");
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                break;
            }
            total += readFixedBody(in, kept, size);
            if (!requireLine(in).isEmpty()) {
                throw new ProtocolException("missing CRLF after chunk data");
            }
        }
        int trailerBytes = 0;
        for (String line = requireLine(in); !line.isEmpty(); line = requireLine(in)) {
            trailerBytes += line.length() + 2;
            if (trailerBytes > MAX_HEADER_BYTES) {
                throw new ProtocolException("chunked trailer section too large");
            }
        }
        return total;
    }

    /** Reads a line ending in LF (CR before it is dropped); null on end of stream before the first byte. */
    private static String readLine(InputStream in) throws IOException {
        byte[] buffer = new byte[128];
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (length == 0) {
                    return null;
                }
                throw new EOFException("stream ended inside a line");
            }
            if (b == '\n') {
                break;
            }
            if (length == MAX_LINE_BYTES) {
                throw new ProtocolException("line too long");
            }
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, MAX_LINE_BYTES));
            }
            buffer[length++] = (byte) b;
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }

    private static String requireLine(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null) {
            throw new EOFException("stream ended inside a request");
        }
        return line;
    }

    /**
     * An error answer: {@code {"identity":{…},"status":400,"error":"Bad Request","detail":"…"}}, so a client can tell
     * that this echo backend refused the request, and why.
     */
    private static void sendError(OutputStream out, Map<String, String> identity, int status, String detail,
                                  boolean keepAlive) throws IOException {
        String json = EchoJson.errorJson(identity, status, reason(status), detail);
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: " + payload.length + "\r\n"
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(payload);
        out.flush();
    }

    // ------------------------------------------------------------------------------------------------ WebSocket

    private static void acceptWebSocket(OutputStream out, Map<String, List<String>> headers) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ")
                .append(webSocketAccept(trimWhitespace(headers.get("sec-websocket-key").get(0))))
                .append("\r\n");
        List<String> protocols = headers.get("sec-websocket-protocol");
        if (protocols != null) {
            String chosen = trimWhitespace(protocols.get(0).split(",")[0]);
            if (!chosen.isEmpty()) {
                head.append("Sec-WebSocket-Protocol: ").append(chosen).append("\r\n");
            }
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** {@code base64(sha1(key + GUID))}, RFC 6455 section 4.2.2. */
    static String webSocketAccept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    /** Echoes text and binary messages, answers ping with pong and close with close. */
    private static void serveWebSocket(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream message = null;
        int messageOpcode = 0;
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return;
            }
            int b1 = readByte(in);
            boolean fin = (b0 & 0x80) != 0;
            int reserved = b0 & 0x70;
            int opcode = b0 & 0x0F;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = ((long) readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? readFully(in, 4) : null;
            if (reserved != 0) {
                sendClose(out, 1002, "reserved bits set");
                return;
            }
            boolean control = opcode >= 0x8;
            if (control && (!fin || length > 125)) {
                sendClose(out, 1002, "invalid control frame");
                return;
            }
            long buffered = message == null ? 0 : message.size();
            if (length < 0 || length + buffered > MAX_WEBSOCKET_MESSAGE_BYTES) {
                sendClose(out, 1009, "message too big");
                return;
            }
            byte[] payload = readFully(in, (int) length);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            switch (opcode) {
                case 0x0:
                    if (message == null) {
                        sendClose(out, 1002, "unexpected continuation frame");
                        return;
                    }
                    message.write(payload, 0, payload.length);
                    if (fin) {
                        writeFrame(out, messageOpcode, message.toByteArray());
                        message = null;
                    }
                    break;
                case 0x1:
                case 0x2:
                    if (message != null) {
                        sendClose(out, 1002, "expected a continuation frame");
                        return;
                    }
                    if (fin) {
                        writeFrame(out, opcode, payload);
                    } else {
                        message = new ByteArrayOutputStream();
                        message.write(payload, 0, payload.length);
                        messageOpcode = opcode;
                    }
                    break;
                case 0x8:
                    if (payload.length == 1) {
                        sendClose(out, 1002, "invalid close payload");
                    } else {
                        writeFrame(out, 0x8, payload.length >= 2 ? Arrays.copyOf(payload, 2) : new byte[0]);
                    }
                    return;
                case 0x9:
                    writeFrame(out, 0xA, payload);
                    break;
                case 0xA:
                    break;
                default:
                    sendClose(out, 1002, "unknown opcode " + opcode);
                    return;
            }
        }
    }

    private static void sendClose(OutputStream out, int code, String reason) throws IOException {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        writeFrame(out, 0x8, payload);
    }

    /** Writes one unmasked, final frame. */
    private static void writeFrame(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        if (payload.length <= 125) {
            out.write(payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xFF);
        } else {
            out.write(127);
            long length = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift) & 0xFF);
            }
        }
        out.write(payload);
        out.flush();
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("stream ended inside a WebSocket frame");
        }
        return b;
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int offset = 0;
        while (offset < length) {
            int n = in.read(bytes, offset, length - offset);
            if (n < 0) {
                throw new EOFException("stream ended inside a WebSocket frame");
            }
            offset += n;
        }
        return bytes;
    }

    /** The path of an origin-form or absolute-form request target, without the query. */
    static String pathOf(String target) {
        int query = target.indexOf('?');
        String path = query >= 0 ? target.substring(0, query) : target;
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int slash = path.indexOf('/', path.indexOf("://") + 3);
            path = slash >= 0 ? path.substring(slash) : "/";
        }
        return path;
    }

    static String segment(String path, int from) {
        int slash = path.indexOf('/', from);
        return slash >= 0 ? path.substring(from, slash) : path.substring(from);
    }

    static int parseStatus(String value) {
        if (value.length() != 3 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int status = Integer.parseInt(value);
        return status >= 200 && status <= 599 ? status : -1;
    }

    static long parseSleep(String value) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return value.length() > 9 ? MAX_SLEEP_MILLIS : Math.min(Long.parseLong(value), MAX_SLEEP_MILLIS);
    }

    private static boolean isToken(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRequestTarget(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c == 0x7F) {
                return false;
            }
        }
        return value.charAt(0) == '/' || value.equals("*") || value.contains("://") || value.indexOf(':') > 0;
    }

    static String trimWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    private static String joinedLower(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null ? "" : String.join(",", values).toLowerCase(Locale.ROOT);
    }

    private static boolean hasToken(String commaSeparatedLower, String token) {
        for (String item : commaSeparatedLower.split(",")) {
            if (trimWhitespace(item).equals(token)) {
                return true;
            }
        }
        return false;
    }

    static String reason(int status) {
        switch (status) {
            case 100: return "Continue";
            case 101: return "Switching Protocols";
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 203: return "Non-Authoritative Information";
            case 204: return "No Content";
            case 206: return "Partial Content";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 415: return "Unsupported Media Type";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "Status " + status;
        }
    }

    private static void logLine(String tag, Socket socket, String requestLine, String outcome,
                                Map<String, List<String>> headers) {
        List<String> requestId = headers.get("x-request-id");
        String id = requestId == null || requestId.isEmpty() || requestId.get(0).isEmpty() ? "-" : requestId.get(0);
        EchoServer.log("echo " + tag + " " + socket.getInetAddress().getHostAddress() + " \"" + EchoServer.printable(requestLine) + "\" "
                + outcome + " x-request-id=" + EchoServer.printable(id));
    }
}
