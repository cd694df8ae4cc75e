package dev.proxystage.internal.nginx;

import java.util.List;
import java.util.Optional;

/**
 * Numbers, sizes, offsets, times and buffer counts as the standard slots of nginx parse them (ngx_atoi,
 * ngx_parse_size, ngx_parse_offset, ngx_parse_time): "10MB" is no size, "1y" no time in milliseconds. Only the
 * syntax; a value too large for nginx's integers is left to nginx.
 */
final class SlotValues {

    private SlotValues() {
    }

    /** What ngx_conf_handler prints after the directive's name ("invalid value", "invalid number"), or empty. */
    static Optional<String> problem(String handler, List<String> args) {
        if (args.isEmpty()) {
            return Optional.empty();
        }
        String v = args.get(0);
        boolean ok = switch (handler) {
            case "ngx_conf_set_num_slot" -> isNumber(v);
            case "ngx_conf_set_size_slot" -> isSize(v, "kKmM");
            case "ngx_conf_set_off_slot" -> isSize(v, "kKmMgG");
            case "ngx_conf_set_msec_slot" -> isTime(v, false);
            case "ngx_conf_set_sec_slot" -> isTime(v, true);
            case "ngx_conf_set_bufs_slot" -> args.size() == 2 && isNumber(v) && !isZero(v)
                    && isSize(args.get(1), "kKmM") && !isZero(args.get(1).replaceAll("[kKmM]$", ""));
            default -> true;
        };
        if (ok) {
            return Optional.empty();
        }
        return Optional.of(handler.equals("ngx_conf_set_num_slot") ? "invalid number" : "invalid value");
    }

    /** ngx_atoi: one or more digits. */
    static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean isZero(String s) {
        return isNumber(s) && s.chars().allMatch(c -> c == '0');
    }

    /** ngx_parse_size / ngx_parse_offset: digits with one optional unit letter. */
    static boolean isSize(String s, String units) {
        if (s.isEmpty()) {
            return false;
        }
        String digits = units.indexOf(s.charAt(s.length() - 1)) >= 0 ? s.substring(0, s.length() - 1) : s;
        return isNumber(digits);
    }

    /**
     * ngx_parse_time: numbers each followed by a unit, larger units first (y M w d h m s, and ms unless in
     * seconds), a bare number last; in milliseconds there are no years or months.
     */
    static boolean isTime(String s, boolean seconds) {
        // steps: start 0, year 1, month 2, week 3, day 4, hour 5, min 6, sec 7, msec 8, last 9
        int step = seconds ? 0 : 2;
        boolean valid = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                valid = true;
                i++;
                continue;
            }
            i++;
            int next;
            switch (c) {
                case 'y' -> {
                    if (step > 0) {
                        return false;
                    }
                    next = 1;
                }
                case 'M' -> next = 2;
                case 'w' -> next = 3;
                case 'd' -> next = 4;
                case 'h' -> next = 5;
                case 'm' -> {
                    if (i < s.length() && s.charAt(i) == 's') {
                        if (seconds || step >= 8) {
                            return false;
                        }
                        i++;
                        step = 8;
                        i = skipSpaces(s, i);
                        continue;
                    }
                    next = 6;
                }
                case 's' -> next = 7;
                case ' ' -> next = 9;
                default -> {
                    return false;
                }
            }
            if (c != 'y') {
                int limit = c == ' ' ? 7 : next;
                if (step >= limit) {
                    return false;
                }
            }
            step = next;
            i = skipSpaces(s, i);
        }
        return valid;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
