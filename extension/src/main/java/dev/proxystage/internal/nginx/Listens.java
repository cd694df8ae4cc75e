package dev.proxystage.internal.nginx;

import java.util.Optional;

/** The {@code listen} directive: address, port and the parameters a stage needs. */
final class Listens {

    private Listens() {
    }

    /** The listen, or empty for a unix socket (nothing to expose); malformed ones fail with nginx's message. */
    static Optional<Listen> of(Directive d) {
        if (d.args().isEmpty()) {
            throw new NginxConfigException(d.file(), d.line(), "invalid number of arguments in \"listen\" directive");
        }
        String a = d.args().get(0);
        if (a.startsWith("unix:")) {
            return Optional.empty(); // a socket inside the container, no port to expose
        }
        String address;
        String port;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0 || close + 1 < a.length() && a.charAt(close + 1) != ':') {
                throw new NginxConfigException(d.file(), d.line(), "invalid IPv6 address in \"" + a
                        + "\" of the \"listen\" directive");
            }
            address = a.substring(0, close + 1);
            port = close + 1 < a.length() ? a.substring(close + 2) : "80";
        } else if (Endpoints.isDigits(a)) {
            address = "*";
            port = a;
        } else if (a.lastIndexOf(':') >= 0) {
            address = a.substring(0, a.lastIndexOf(':'));
            port = a.substring(a.lastIndexOf(':') + 1);
        } else {
            address = a;
            port = "80";
        }
        int number = Endpoints.port(port);
        if (number == 0) {
            throw new NginxConfigException(d.file(), d.line(), "invalid port in \"" + a
                    + "\" of the \"listen\" directive");
        }
        if (address.startsWith("[") && !Addresses.isIpv6(address.substring(1, address.length() - 1))) {
            throw new NginxConfigException(d.file(), d.line(), "invalid IPv6 address in \"" + a
                    + "\" of the \"listen\" directive");
        }
        if (!address.startsWith("[") && !address.equals("*") && !address.equals("localhost")
                && !Addresses.isIpv4(address)) {
            // nginx resolves a name at start; a stage's nginx container has no such local address.
            throw new NginxConfigException(d.file(), d.line(), "host not found in \"" + a
                    + "\" of the \"listen\" directive (listen takes an IP address, \"*\" or a port)");
        }
        boolean ssl = false;
        boolean defaultServer = false;
        for (String p : d.args().subList(1, d.args().size())) {
            ssl |= p.equals("ssl");
            defaultServer |= p.equals("default_server") || p.equals("default");
        }
        return Optional.of(new Listen(address, number, ssl, defaultServer, d.file(), d.line()));
    }

    /** Whether a connection to the loopback {@code host} (as pass targets write it) reaches a listen on {@code address}. */
    static boolean reaches(String address, String host) {
        boolean anyV4 = address.equals("*") || address.equals("0.0.0.0");
        boolean anyV6 = address.equals("[::]");
        if (host.equals("localhost")) {
            // nginx resolves it to 127.0.0.1 and ::1, and uses either.
            return anyV4 || anyV6 || address.equals("localhost") || address.equals("[::1]") || isLoopbackV4(address);
        }
        if (isLoopbackV4(host)) {
            return anyV4 || address.equals(host) || address.equals("localhost") && host.equals("127.0.0.1");
        }
        if (host.equals("[::1]")) {
            return anyV6 || address.equals("[::1]") || address.equals("localhost");
        }
        return false;
    }

    static boolean isLoopbackV4(String address) {
        return address.startsWith("127.") && Addresses.isIpv4(address);
    }
}
