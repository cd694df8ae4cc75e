package dev.proxystage.internal.nginx;

/** The production origin of a listen, as a browser writes it: the port only when it is not the scheme's default. */
public final class Origin {

    private Origin() {
    }

    /** {@code https://vw.example.com}, {@code http://vw.example.com:8080}, {@code http://[::1]}. */
    public static String of(boolean https, String host, int port) {
        boolean defaultPort = https ? port == 443 : port == 80;
        return (https ? "https" : "http") + "://" + bracketed(host) + (defaultPort ? "" : ":" + port);
    }

    /** An IPv6 address in brackets, as URLs and curl's --connect-to want it. */
    public static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
