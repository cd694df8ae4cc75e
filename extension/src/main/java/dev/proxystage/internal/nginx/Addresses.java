package dev.proxystage.internal.nginx;

/** Literal IP addresses, checked without any lookup (InetAddress would ask DNS for what is not a literal). */
final class Addresses {

    private Addresses() {
    }

    /** Four decimal octets 0..255. */
    static boolean isIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form, without brackets: hex groups, one "::" at most, an IPv4 tail allowed. */
    static boolean isIpv6(String text) {
        if (text.isEmpty()) {
            return false;
        }
        String body = text;
        int lastColon = body.lastIndexOf(':');
        if (lastColon >= 0 && body.indexOf('.', lastColon) > 0) {
            if (!isIpv4(body.substring(lastColon + 1))) {
                return false;
            }
            body = body.substring(0, lastColon + 1) + "0:0"; // the IPv4 tail is two groups
        }
        int groups = 0;
        int doubleColon = body.indexOf("::");
        if (doubleColon >= 0 && body.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] halves = doubleColon >= 0
                ? new String[] {body.substring(0, doubleColon), body.substring(doubleColon + 2)}
                : new String[] {body};
        for (String half : halves) {
            if (half.isEmpty()) {
                continue;
            }
            for (String group : half.split(":", -1)) {
                if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(Addresses::isHex)) {
                    return false;
                }
                groups++;
            }
        }
        return doubleColon >= 0 ? groups < 8 : groups == 8;
    }

    private static boolean isHex(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
