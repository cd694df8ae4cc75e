package dev.proxystage.echo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The JSON the echo answers with: {@code {"identity":{…},"request":{…},"client":{…}}}, plus {@code "gateway"} when
 * the request came over FastCGI or uwsgi (the parameters nginx sent, in the order and number it sent them).
 */
final class EchoJson {

    private EchoJson() {
    }

    /** The report of a request that came over HTTP. */
    static String echoJson(Map<String, String> identity, String method, String uri, String path,
                           String query, String protocol, Map<String, List<String>> headers,
                           long bodyLength, String body, String clientAddress, int clientPort) {
        return echoJson(identity, method, uri, path, query, protocol, headers, bodyLength, body, clientAddress,
                clientPort, "", Map.of());
    }

    /**
     * The report; a request that came over a gateway protocol ({@code gateway} "fastcgi" or "uwsgi", else "") adds
     * {@code "gateway":{"protocol":…,"scriptName":…,"scriptFilename":…,"params":{NAME:[values…]}}}.
     */
    static String echoJson(Map<String, String> identity, String method, String uri, String path,
                           String query, String protocol, Map<String, List<String>> headers,
                           long bodyLength, String body, String clientAddress, int clientPort,
                           String gateway, Map<String, List<String>> params) {
        StringBuilder json = new StringBuilder(512 + body.length());
        json.append("{\"identity\":");
        identityJson(json, identity);
        json.append(",\"request\":{\"method\":");
        jsonString(json, method);
        json.append(",\"uri\":");
        jsonString(json, uri);
        json.append(",\"path\":");
        jsonString(json, path);
        json.append(",\"query\":");
        jsonString(json, query);
        json.append(",\"protocol\":");
        jsonString(json, protocol);
        json.append(",\"headers\":");
        multiMap(json, headers);
        json.append(",\"bodyLength\":").append(bodyLength);
        json.append(",\"body\":");
        jsonString(json, body);
        json.append("},\"client\":{\"address\":");
        jsonString(json, clientAddress);
        json.append(",\"port\":").append(clientPort);
        json.append('}');
        if (!gateway.isEmpty()) {
            json.append(",\"gateway\":{\"protocol\":");
            jsonString(json, gateway);
            json.append(",\"scriptName\":");
            jsonString(json, first(params, "SCRIPT_NAME"));
            json.append(",\"scriptFilename\":");
            jsonString(json, first(params, "SCRIPT_FILENAME"));
            json.append(",\"params\":");
            multiMap(json, params);
            json.append('}');
        }
        json.append("}\n");
        return json.toString();
    }

    /** {@code {"name":["value",…],…}}, names and values in arrival order. */
    private static void multiMap(StringBuilder json, Map<String, List<String>> values) {
        json.append('{');
        boolean first = true;
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            jsonString(json, entry.getKey());
            json.append(":[");
            for (int i = 0; i < entry.getValue().size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                jsonString(json, entry.getValue().get(i));
            }
            json.append(']');
        }
        json.append('}');
    }

    static String first(Map<String, List<String>> values, String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() ? "" : list.get(0);
    }

    /**
     * An error answer: {@code {"identity":{…},"status":400,"error":"Bad Request","detail":"…"}}, so a client can tell
     * that this echo backend refused the request, and why.
     */
    static String errorJson(Map<String, String> identity, int status, String reason, String detail) {
        StringBuilder json = new StringBuilder(256);
        json.append("{\"identity\":");
        identityJson(json, identity);
        json.append(",\"status\":").append(status);
        json.append(",\"error\":");
        jsonString(json, reason);
        json.append(",\"detail\":");
        jsonString(json, detail == null ? "" : detail);
        json.append("}\n");
        return json.toString();
    }

    static void identityJson(StringBuilder json, Map<String, String> identity) {
        json.append('{');
        boolean first = true;
        for (Map.Entry<String, String> entry : identity.entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            jsonString(json, entry.getKey());
            json.append(':');
            jsonString(json, entry.getValue());
        }
        json.append('}');
    }

    /** The kept body bytes as UTF-8, cut back to a character boundary when the body was truncated. */
    static String echoedBody(byte[] kept, long fullLength) {
        int length = kept.length;
        if (fullLength > length && length > 0) {
            int start = length - 1;
            while (start > 0 && (kept[start] & 0xC0) == 0x80) {
                start--;
            }
            int lead = kept[start] & 0xFF;
            int width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (start + width > length) {
                length = start;
            }
        }
        return new String(kept, 0, length, StandardCharsets.UTF_8);
    }

    // Hand-written JSON string escaping: the echo runs on a bare JRE, with nothing but the JDK.
    static void jsonString(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    json.append("\\\"");
                    break;
                case '\\':
                    json.append("\\\\");
                    break;
                case '\n':
                    json.append("\\n");
                    break;
                case '\r':
                    json.append("\\r");
                    break;
                case '\t':
                    json.append("\\t");
                    break;
                case '\b':
                    json.append("\\b");
                    break;
                case '\f':
                    json.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029') {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
            }
        }
        json.append('"');
    }

    /** Convenience form of {@link #jsonString(StringBuilder, String)}. */
    static String jsonString(String value) {
        StringBuilder json = new StringBuilder(value.length() + 2);
        jsonString(json, value);
        return json.toString();
    }
}
