package dev.proxystage.internal.nginx;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Addresses as nginx writes them in pass targets, upstream servers and listens: scheme, host, port. */
final class Endpoints {

    /** A parsed address; the offsets say where host and port are in the text, for who wrote which part. */
    record Endpoint(String scheme, String host, int port, boolean explicitPort, int hostStart, int hostEnd,
                    int portStart, int portEnd) {
    }

    private Endpoints() {
    }

    /** Parses a pass target; the message of the exception is nginx-like and names the target. */
    static Endpoint endpoint(String text, String directive, boolean stream) {
        int sep = text.indexOf("://");
        String scheme = sep < 0 ? "" : text.substring(0, sep).toLowerCase(Locale.ROOT);
        Set<String> allowed;
        String fallback;
        if (directive.equals("proxy_pass") && !stream) {
            allowed = Set.of("http", "https");
            fallback = null;
        } else if (directive.equals("grpc_pass")) {
            allowed = Set.of("grpc", "grpcs");
            fallback = "grpc";
        } else if (directive.equals("uwsgi_pass")) {
            allowed = Set.of("uwsgi", "suwsgi");
            fallback = "uwsgi";
        } else {
            allowed = Set.of();
            fallback = stream ? "tcp" : directive.substring(0, directive.indexOf('_'));
        }
        if (sep < 0 ? fallback == null : !allowed.contains(scheme)) {
            throw new IllegalArgumentException("invalid URL prefix in \"" + text + "\" of the \"" + directive
                    + "\" directive" + (allowed.isEmpty() ? "; it takes an address without scheme"
                    : "; use " + String.join(":// or ", new TreeSet<>(allowed)) + "://"));
        }
        if (sep < 0) {
            scheme = fallback;
        }
        int start = sep < 0 ? 0 : sep + 3;
        int defaultPort = switch (scheme) {
            case "http", "grpc" -> 80;
            case "https", "grpcs" -> 443;
            default -> 0;
        };
        if (text.startsWith("unix:", start)) {
            int colon = text.indexOf(':', start + 5);
            int end = colon < 0 || !scheme.startsWith("http") ? text.length() : colon;
            return new Endpoint(scheme, text.substring(start, end), 0, false, start, end, end, end);
        }
        int end = start;
        while (end < text.length() && text.charAt(end) != '/' && text.charAt(end) != '?') {
            end++;
        }
        Endpoint e = hostPort(text.substring(start, end), start, defaultPort);
        if (e == null) {
            throw new IllegalArgumentException("invalid host or port in \"" + text + "\" of the \"" + directive
                    + "\" directive");
        }
        return new Endpoint(scheme, e.host, e.port, e.explicitPort, e.hostStart, e.hostEnd, e.portStart, e.portEnd);
    }

    /** host, host:port, [v6] or [v6]:port; null when malformed. Offsets are shifted by {@code offset}. */
    static Endpoint hostPort(String authority, int offset, int defaultPort) {
        String host;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = authority.substring(0, close + 1);
            if (close + 1 < authority.length()) {
                if (authority.charAt(close + 1) != ':') {
                    return null;
                }
                port = authority.substring(close + 2);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty() || host.indexOf('$') >= 0) {
            return null;
        }
        int number = port == null ? defaultPort : port(port);
        if (port != null && number == 0) {
            return null;
        }
        int portEnd = offset + authority.length();
        int portStart = port == null ? portEnd : portEnd - port.length();
        return new Endpoint("", host.toLowerCase(Locale.ROOT), number, port != null, offset, offset + host.length(),
                portStart, portEnd);
    }

    /** 1..65535, or 0 when not a port. */
    static int port(String text) {
        if (!isDigits(text) || text.length() > 5) {
            return 0;
        }
        int n = Integer.parseInt(text);
        return n >= 1 && n <= 65535 ? n : 0;
    }

    static boolean isDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
