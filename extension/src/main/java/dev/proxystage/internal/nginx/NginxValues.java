package dev.proxystage.internal.nginx;

/**
 * nginx's own parsers of configuration words, re-done: ngx_atoi, ngx_atofp, ngx_parse_size, ngx_parse_offset,
 * ngx_inet_addr, ngx_inet6_addr and ngx_ptocidr. Each answers what nginx's answers, -1 where nginx's returns
 * NGX_ERROR.
 */
final class NginxValues {

    /** The system page size nginx sizes shared memory zones by (x86_64 and arm64 Linux images). */
    static final long PAGE_SIZE = 4096;

    /** What ngx_ptocidr makes of a word: no address, an exact network, or one with host bits set (a warning). */
    enum Cidr { ERROR, OK, DONE }

    private NginxValues() {
    }

    /** ngx_atoi: one or more digits, no sign; -1 otherwise or beyond a signed 64-bit value. */
    static long atoi(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** ngx_atofp: a decimal with at most one point, scaled by 10^point; digits beyond point are ignored. */
    static long atofp(String s, int point) {
        if (s.isEmpty()) {
            return -1;
        }
        boolean dot = false;
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (dot) {
                    return -1;
                }
                dot = true;
                continue;
            }
            if (c < '0' || c > '9') {
                return -1;
            }
            if (point == 0) {
                continue;
            }
            if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (dot) {
                point--;
            }
        }
        while (point-- > 0) {
            value *= 10;
        }
        return value;
    }

    /** ngx_parse_size: digits with an optional k/K or m/M (g/G as well for an offset). */
    static long parseSize(String s) {
        return parse(s, false);
    }

    /** ngx_parse_offset: digits with an optional k/K, m/M or g/G. */
    static long parseOffset(String s) {
        return parse(s, true);
    }

    private static long parse(String s, boolean offset) {
        if (s.isEmpty()) {
            return -1;
        }
        char unit = s.charAt(s.length() - 1);
        long scale = switch (unit) {
            case 'k', 'K' -> 1024L;
            case 'm', 'M' -> 1024L * 1024;
            case 'g', 'G' -> offset ? 1024L * 1024 * 1024 : 0;
            default -> 1;
        };
        if (scale == 0) {
            return -1;
        }
        long n = atoi(scale == 1 ? s : s.substring(0, s.length() - 1));
        if (n < 0 || n > Long.MAX_VALUE / scale) {
            return -1;
        }
        return n * scale;
    }

    /** ngx_parse_time: whether {@code s} is a time nginx takes (in seconds, or in milliseconds). */
    static boolean isTime(String s, boolean seconds) {
        return SlotValues.isTime(s, seconds);
    }

    /** ngx_inet_addr: four decimal octets, each below 256 (an empty one is 0); 255.255.255.255 is INADDR_NONE. */
    static boolean isIpv4(String s) {
        long addr = 0;
        long octet = 0;
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                octet = Math.min(octet * 10 + (c - '0'), 1000);
                continue;
            }
            if (c == '.' && octet < 256) {
                addr = (addr << 8) + octet;
                octet = 0;
                dots++;
                continue;
            }
            return false;
        }
        if (dots != 3 || octet >= 256) {
            return false;
        }
        addr = ((addr << 8) + octet) & 0xffffffffL;
        return addr != 0xffffffffL;
    }

    /** The address ngx_inet_addr reads, as an unsigned 32-bit number, or -1. */
    static long ipv4(String s) {
        if (!isIpv4(s)) {
            return -1;
        }
        long addr = 0;
        for (String part : s.split("\\.", -1)) {
            addr = (addr << 8) + (part.isEmpty() ? 0 : Long.parseLong(part));
        }
        return addr;
    }

    /** ngx_inet6_addr: eight groups of up to four hex digits, one "::", an IPv4 tail. */
    static boolean isIpv6(String s) {
        int len = s.length();
        if (len == 0) {
            return false;
        }
        int p = 0;
        int zero = -1;
        int digit = -1;
        int nibbles = 0;
        int n = 8;
        int written = 0;
        if (s.charAt(0) == ':') {
            p++;
        }
        for (; p < len; p++) {
            char c = s.charAt(p);
            if (c == ':') {
                if (nibbles > 0) {
                    digit = p + 1;
                    written++;
                    if (--n > 0) {
                        nibbles = 0;
                        continue;
                    }
                } else if (zero < 0) {
                    digit = p + 1;
                    zero = written;
                    continue;
                }
                return false;
            }
            if (c == '.' && nibbles > 0) {
                if (n < 2 || digit < 0) {
                    return false;
                }
                if (!isIpv4(s.substring(digit))) {
                    return false;
                }
                n--;
                nibbles = 1; // the IPv4 tail fills the last two groups
                break;
            }
            if (++nibbles > 4) {
                return false;
            }
            if (Character.digit(c, 16) < 0) {
                return false;
            }
        }
        if (nibbles == 0 && zero < 0) {
            return false;
        }
        if (--n > 0) {
            return zero >= 0;
        }
        return zero < 0;
    }

    /** ngx_ptocidr: an IPv4 or IPv6 address with an optional "/bits". */
    static Cidr cidr(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        int bits;
        if (isIpv4(addr)) {
            if (slash < 0) {
                return Cidr.OK;
            }
            bits = 32;
        } else if (isIpv6(addr)) {
            if (slash < 0) {
                return Cidr.OK;
            }
            bits = 128;
        } else {
            return Cidr.ERROR;
        }
        long shift = atoi(text.substring(slash + 1));
        if (shift < 0 || shift > bits) {
            return Cidr.ERROR;
        }
        if (bits == 32) {
            long a = ipv4(addr);
            long mask = shift == 0 ? 0 : (0xffffffffL << (32 - shift)) & 0xffffffffL;
            return (a & mask) == a ? Cidr.OK : Cidr.DONE;
        }
        return Cidr.OK; // IPv6 host bits are only a warning; not worth re-deriving the address here
    }
}
