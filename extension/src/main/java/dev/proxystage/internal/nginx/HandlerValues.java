package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.DirectiveTable.Context;
import dev.proxystage.internal.nginx.DirectiveTable.Entry;
import dev.proxystage.internal.nginx.NginxValues.Cidr;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Arguments as the handlers of nginx's directive table read them, chosen by the row's handler (ngx_http_access_rule,
 * ngx_http_upstream_server, ngx_http_limit_req_zone...): addresses and networks, sizes, times, zone sizes, named
 * parameters. Each message is the one nginx stops with; only what nginx refuses at the directive itself, with no
 * file or host lookups.
 */
final class HandlerValues {

    /** ngx_conf_num_bounds_t post handlers of number slots: name, low, high. */
    private static final Map<String, long[]> BOUNDS = Map.of(
            "gzip_comp_level", new long[] {1, 9},
            "limit_req_status", new long[] {400, 599},
            "limit_conn_status", new long[] {400, 599},
            "uwsgi_modifier1", new long[] {0, 255},
            "uwsgi_modifier2", new long[] {0, 255});

    /** The methods limit_except knows. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "MKCOL", "COPY", "MOVE",
            "OPTIONS", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "PATCH");

    /** Upstream methods that take no "backup" server (their flags lack NGX_HTTP_UPSTREAM_BACKUP). */
    private static final Set<String> NO_BACKUP = Set.of("hash", "ip_hash", "random");

    /** Built-in variables "set" (and map, geo...) may assign: those nginx marks changeable. */
    private static final Set<String> CHANGEABLE = Set.of("args", "limit_rate");

    private HandlerValues() {
    }

    /**
     * nginx's message for {@code d} placed in {@code context}, or empty. {@code block} is the block that holds it
     * (an upstream's other directives decide what its servers may have).
     */
    static Optional<String> problem(Directive d, Entry e, Context context, Directive block, DirectiveTable table) {
        List<String> a = d.args();
        if (a.isEmpty()) {
            return Optional.empty();
        }
        long[] bounds = BOUNDS.get(d.name());
        if (bounds != null && e.handler().equals("ngx_conf_set_num_slot")) {
            long n = NginxValues.atoi(a.get(0));
            if (n >= 0 && (n < bounds[0] || n > bounds[1])) {
                return Optional.of("value must be between " + bounds[0] + " and " + bounds[1]);
            }
        }
        return switch (e.handler()) {
            case "ngx_http_access_rule", "ngx_stream_access_rule" -> access(a.get(0), context.type.equals("http"));
            case "ngx_http_realip_from", "ngx_stream_realip_from", "ngx_mail_realip_from" -> realIp(a.get(0));
            case "ngx_http_headers_expires" -> expires(d);
            case "ngx_http_core_resolver", "ngx_stream_core_resolver", "ngx_mail_core_resolver" -> resolver(a);
            case "ngx_http_rewrite_set", "ngx_http_auth_request_set" -> variable(a.get(0), table, context);
            case "ngx_http_map_block", "ngx_http_split_clients_block", "ngx_conf_split_clients_block" ->
                    a.size() >= 2 ? variable(a.get(1), table, context) : Optional.empty();
            case "ngx_http_geo_block" -> variable(a.get(a.size() - 1), table, context);
            case "ngx_http_upstream_keepalive" -> {
                long n = NginxValues.atoi(a.get(0));
                yield n <= 0 ? Optional.of("invalid value \"" + a.get(0) + "\" in \"" + d.name() + "\" directive")
                        : Optional.empty();
            }
            case "ngx_http_upstream_server", "ngx_stream_upstream_server" ->
                    upstreamServer(d, block);
            case "ngx_http_upstream_zone", "ngx_stream_upstream_zone" -> upstreamZone(a);
            case "ngx_http_limit_req_zone", "ngx_http_limit_conn_zone", "ngx_stream_limit_conn_zone" ->
                    limitZone(d.name(), a);
            case "ngx_http_limit_req" -> limitReq(a);
            case "ngx_http_file_cache_set_slot" -> cachePath(d.name(), a);
            case "ngx_http_file_cache_valid_set_slot" -> cacheValid(a);
            case "ngx_http_core_server_name" -> serverName(a);
            case "ngx_http_index_set_index" -> a.stream().filter(String::isEmpty).findFirst()
                    .map(i -> "index \"\" in \"index\" directive is invalid");
            case "ngx_http_log_set_format" -> a.size() > 1 && a.get(1).startsWith("escape=")
                    && !Set.of("default", "json", "none").contains(a.get(1).substring(7))
                    ? Optional.of("unknown log format escaping \"" + a.get(1).substring(7) + "\"") : Optional.empty();
            case "ngx_http_log_set_log" -> accessLog(a);
            case "ngx_http_core_keepalive" -> NginxValues.isTime(a.get(0), false)
                    && (a.size() < 2 || NginxValues.isTime(a.get(1), true)) ? Optional.empty()
                    : Optional.of("\"" + d.name() + "\" directive invalid value");
            case "ngx_http_core_open_file_cache" -> openFileCache(a);
            case "ngx_http_core_limit_except" -> a.stream()
                    .filter(m -> !METHODS.contains(m.toUpperCase(Locale.ROOT))).findFirst()
                    .map(m -> "invalid method \"" + m + "\"");
            case "ngx_http_core_listen" -> listen(a);
            case "ngx_http_ssl_session_cache", "ngx_stream_ssl_session_cache", "ngx_mail_ssl_session_cache" ->
                    sessionCache(a);
            case "ngx_http_headers_add" -> a.size() == 3 && !a.get(2).equals("always")
                    ? Optional.of("invalid parameter \"" + a.get(2) + "\"") : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** ngx_http_access_rule: "all", "unix:" (http), or an address or network. */
    private static Optional<String> access(String v, boolean http) {
        if (v.equals("all") || http && v.equals("unix:") || NginxValues.cidr(v) != Cidr.ERROR) {
            return Optional.empty();
        }
        return Optional.of("invalid parameter \"" + v + "\"");
    }

    /** ngx_http_realip_from: "unix:", a network, else a host name it resolves, which one with a "/" never is. */
    private static Optional<String> realIp(String v) {
        if (v.equals("unix:") || NginxValues.cidr(v) != Cidr.ERROR || v.indexOf('/') < 0) {
            return Optional.empty();
        }
        return Optional.of("host not found in set_real_ip_from \"" + v + "\"");
    }

    /** ngx_http_headers_expires and ngx_http_parse_expires. */
    private static Optional<String> expires(Directive d) {
        List<String> a = d.args();
        String invalid = "\"" + d.name() + "\" directive invalid value";
        boolean modified = a.size() == 2;
        if (modified && !a.get(0).equals("modified")) {
            return Optional.of(invalid);
        }
        String v = a.get(a.size() - 1);
        if (v.indexOf('$') >= 0 || v.equals("epoch") || v.equals("max") || v.equals("off")) {
            return Optional.empty();
        }
        boolean daily = false;
        if (v.startsWith("@")) {
            if (modified) {
                return Optional.of("\"" + d.name() + "\" directive daily time cannot be used with \"modified\""
                        + " parameter");
            }
            daily = true;
            v = v.substring(1);
        } else if (v.startsWith("+") || v.startsWith("-")) {
            v = v.substring(1);
        }
        if (!NginxValues.isTime(v, true)) {
            return Optional.of(invalid);
        }
        return daily && seconds(v) > 24 * 60 * 60
                ? Optional.of("\"" + d.name() + "\" directive daily time value must be less than 24 hours")
                : Optional.empty();
    }

    /** The seconds of a time nginx takes (see {@link NginxValues#isTime}). */
    private static long seconds(String s) {
        long total = 0;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                n = n * 10 + (c - '0');
                continue;
            }
            long scale = switch (c) {
                case 'y' -> 365L * 24 * 3600;
                case 'M' -> 30L * 24 * 3600;
                case 'w' -> 7L * 24 * 3600;
                case 'd' -> 24L * 3600;
                case 'h' -> 3600;
                case 'm' -> 60;
                default -> 1;
            };
            total += n * scale;
            n = 0;
        }
        return total + n;
    }

    /** ngx_resolver_create: valid=, ipv4= and ipv6= beside the addresses. */
    private static Optional<String> resolver(List<String> a) {
        for (String v : a) {
            boolean bad = v.startsWith("valid=") && !NginxValues.isTime(v.substring(6), true)
                    || (v.startsWith("ipv4=") || v.startsWith("ipv6="))
                    && !v.substring(5).equals("on") && !v.substring(5).equals("off");
            if (bad) {
                return Optional.of("invalid parameter: " + v);
            }
        }
        return Optional.empty();
    }

    /** ngx_http_add_variable with NGX_HTTP_VAR_CHANGEABLE: a "$name" that no built-in variable has, or a changeable one. */
    private static Optional<String> variable(String v, DirectiveTable table, Context context) {
        if (v.isEmpty() || v.charAt(0) != '$') {
            return Optional.of("invalid variable name \"" + v + "\"");
        }
        String name = v.substring(1).toLowerCase(Locale.ROOT);
        if (!context.type.equals("http") || name.isEmpty() || CHANGEABLE.contains(name)) {
            return Optional.empty();
        }
        boolean builtin = table.variables("http").stream()
                .anyMatch(x -> !x.prefix() && x.name().equals(name) && table.isBuiltIn(x.module()));
        return builtin ? Optional.of("the duplicate \"" + name + "\" variable") : Optional.empty();
    }

    /**
     * ngx_http_upstream_server: the parameters first, each as the balancing method declared before it allows,
     * then the address (ngx_parse_url, no URI part).
     */
    private static Optional<String> upstreamServer(Directive d, Directive upstream) {
        List<String> a = d.args();
        boolean backup = true;
        if (upstream != null) {
            for (Directive sibling : upstream.block()) {
                if (sibling == d) {
                    break;
                }
                if (NO_BACKUP.contains(sibling.name())) {
                    backup = false;
                } else if (sibling.name().equals("least_conn")) {
                    backup = true;
                }
            }
        }
        for (String v : a.subList(1, a.size())) {
            boolean invalid;
            if (v.startsWith("weight=")) {
                invalid = NginxValues.atoi(v.substring(7)) <= 0;
            } else if (v.startsWith("max_conns=")) {
                invalid = NginxValues.atoi(v.substring(10)) < 0;
            } else if (v.startsWith("max_fails=")) {
                invalid = NginxValues.atoi(v.substring(10)) < 0;
            } else if (v.startsWith("fail_timeout=")) {
                invalid = !NginxValues.isTime(v.substring(13), true);
            } else if (v.equals("backup")) {
                if (!backup) {
                    return Optional.of("balancing method does not support parameter \"" + v + "\"");
                }
                invalid = false;
            } else {
                invalid = false; // unknown words: the parameter table's check
            }
            if (invalid) {
                return Optional.of("invalid parameter \"" + v + "\"");
            }
        }
        return urlError(a.get(0)).map(err -> err + " in upstream \"" + a.get(0) + "\"");
    }

    /** What ngx_parse_url sets as u->err for an address without a URI part, before any host lookup; or empty. */
    static Optional<String> urlError(String url) {
        if (url.regionMatches(true, 0, "unix:", 0, 5)) {
            return url.length() == 5 ? Optional.of("no path in the unix domain socket") : Optional.empty();
        }
        if (url.startsWith("[")) {
            int close = url.indexOf(']');
            if (close < 0) {
                return Optional.of("invalid host");
            }
            String rest = url.substring(close + 1);
            if (rest.startsWith(":")) {
                long port = NginxValues.atoi(rest.substring(1));
                return port < 1 || port > 65535 ? Optional.of("invalid port") : Optional.empty();
            }
            return rest.isEmpty() ? Optional.empty() : Optional.of("invalid host");
        }
        if (url.indexOf('/') >= 0 || url.indexOf('?') >= 0) {
            return Optional.of("invalid host");
        }
        int colon = url.indexOf(':');
        if (colon >= 0) {
            long port = NginxValues.atoi(url.substring(colon + 1));
            if (port < 1 || port > 65535) {
                return Optional.of("invalid port");
            }
            return colon == 0 ? Optional.of("no host") : Optional.empty();
        }
        return url.isEmpty() ? Optional.of("no host") : Optional.empty();
    }

    /** ngx_http_upstream_zone: "zone name [size]", at least eight pages. */
    private static Optional<String> upstreamZone(List<String> a) {
        if (a.size() < 2) {
            return Optional.empty();
        }
        long size = NginxValues.parseSize(a.get(1));
        if (size < 0) {
            return Optional.of("invalid zone size \"" + a.get(1) + "\"");
        }
        return size < 8 * NginxValues.PAGE_SIZE ? Optional.of("zone \"" + a.get(0) + "\" is too small")
                : Optional.empty();
    }

    /** ngx_http_limit_req_zone and ngx_http_limit_conn_zone: zone=name:size of eight pages or more, rate=. */
    private static Optional<String> limitZone(String directive, List<String> a) {
        boolean zone = false;
        for (String v : a.subList(1, a.size())) {
            if (v.startsWith("zone=")) {
                int colon = v.indexOf(':', 5);
                long size = colon < 0 ? -1 : NginxValues.parseSize(v.substring(colon + 1));
                if (size < 0) {
                    return Optional.of("invalid zone size \"" + v + "\"");
                }
                if (size < 8 * NginxValues.PAGE_SIZE) {
                    return Optional.of("zone \"" + v + "\" is too small");
                }
                zone = true;
            } else if (v.startsWith("rate=") && directive.equals("limit_req_zone")) {
                String r = v.substring(5);
                if (r.endsWith("r/s") || r.endsWith("r/m")) {
                    r = r.substring(0, r.length() - 3);
                }
                if (NginxValues.atoi(r) <= 0) {
                    return Optional.of("invalid rate \"" + v + "\"");
                }
            } else {
                return Optional.of("invalid parameter \"" + v + "\"");
            }
        }
        return zone ? Optional.empty() : Optional.of("\"" + directive + "\" must have \"zone\" parameter");
    }

    /** ngx_http_limit_req: zone=, burst=, delay=, nodelay. */
    private static Optional<String> limitReq(List<String> a) {
        for (String v : a) {
            if (v.startsWith("zone=") || v.equals("nodelay")) {
                continue;
            }
            if (v.startsWith("burst=")) {
                if (NginxValues.atoi(v.substring(6)) <= 0) {
                    return Optional.of("invalid burst value \"" + v + "\"");
                }
            } else if (v.startsWith("delay=")) {
                if (NginxValues.atoi(v.substring(6)) < 0) {
                    return Optional.of("invalid delay value \"" + v + "\"");
                }
            } else {
                return Optional.of("invalid parameter \"" + v + "\"");
            }
        }
        return Optional.empty();
    }

    /** ngx_http_file_cache_set_slot: the cache path's parameters, keys_zone required, of two pages or more. */
    private static Optional<String> cachePath(String directive, List<String> a) {
        boolean zone = false;
        for (String v : a.subList(1, a.size())) {
            int eq = v.indexOf('=');
            String key = eq < 0 ? v : v.substring(0, eq + 1);
            String value = eq < 0 ? "" : v.substring(eq + 1);
            switch (key) {
                case "levels=" -> {
                    if (!value.matches("[12](:[12]){0,2}")) {
                        return Optional.of("invalid \"levels\" \"" + v + "\"");
                    }
                }
                case "use_temp_path=" -> {
                    if (!value.equals("on") && !value.equals("off")) {
                        return Optional.of("invalid use_temp_path value \"" + v + "\", it must be \"on\" or \"off\"");
                    }
                }
                case "keys_zone=" -> {
                    int colon = value.indexOf(':');
                    long size = colon < 0 ? -1 : NginxValues.parseSize(value.substring(colon + 1));
                    if (size < 0) {
                        return Optional.of("invalid keys zone size \"" + v + "\"");
                    }
                    if (size < 2 * NginxValues.PAGE_SIZE) {
                        return Optional.of("keys zone \"" + v + "\" is too small");
                    }
                    zone = colon > 0;
                }
                case "inactive=" -> {
                    if (!NginxValues.isTime(value, true)) {
                        return Optional.of("invalid inactive value \"" + v + "\"");
                    }
                }
                case "max_size=", "min_free=" -> {
                    if (NginxValues.parseOffset(value) < 0) {
                        return Optional.of("invalid " + key.substring(0, key.length() - 1) + " value \"" + v + "\"");
                    }
                }
                case "loader_files=", "manager_files=" -> {
                    if (NginxValues.atoi(value) < 0) {
                        return Optional.of("invalid " + key.substring(0, key.length() - 1) + " value \"" + v + "\"");
                    }
                }
                case "loader_sleep=", "loader_threshold=", "manager_sleep=", "manager_threshold=" -> {
                    if (!NginxValues.isTime(value, false)) {
                        return Optional.of("invalid " + key.substring(0, key.length() - 1) + " value \"" + v + "\"");
                    }
                }
                default -> {
                    return Optional.of("invalid parameter \"" + v + "\"");
                }
            }
        }
        return zone ? Optional.empty() : Optional.of("\"" + directive + "\" must have \"keys_zone\" parameter");
    }

    /** ngx_http_file_cache_valid_set_slot: [codes or "any"] time. */
    private static Optional<String> cacheValid(List<String> a) {
        String time = a.get(a.size() - 1);
        if (!NginxValues.isTime(time, true)) {
            return Optional.of("invalid time value \"" + time + "\"");
        }
        for (String code : a.subList(0, a.size() - 1)) {
            long status = NginxValues.atoi(code);
            if (!code.equals("any") && status >= 0 && status < 100) { // ngx_atoi's error reads as a huge status
                return Optional.of("invalid status \"" + code + "\"");
            }
        }
        return Optional.empty();
    }

    /** ngx_http_core_server_name: wildcard forms and empty regexes. */
    private static Optional<String> serverName(List<String> a) {
        for (String v : a) {
            if (v.isEmpty()) {
                continue;
            }
            char ch = v.charAt(0);
            if (ch == '*' && (v.length() < 3 || v.charAt(1) != '.') || ch == '.' && v.length() < 2) {
                return Optional.of("server name \"" + v + "\" is invalid");
            }
            if (v.equals("~")) {
                return Optional.of("empty regex in server name \"" + v + "\"");
            }
        }
        return Optional.empty();
    }

    /** ngx_http_log_set_log: buffer=, flush=, gzip[=level], if= after the format. */
    private static Optional<String> accessLog(List<String> a) {
        if (a.get(0).equals("off") || a.size() < 3) {
            return Optional.empty();
        }
        boolean buffer = false;
        boolean flush = false;
        for (String v : a.subList(2, a.size())) {
            if (v.startsWith("buffer=")) {
                if (NginxValues.parseSize(v.substring(7)) <= 0) {
                    return Optional.of("invalid buffer size \"" + v.substring(7) + "\"");
                }
                buffer = true;
            } else if (v.startsWith("flush=")) {
                if (!NginxValues.isTime(v.substring(6), false) || NginxValues.atoi(v.substring(6)) == 0) {
                    return Optional.of("invalid flush time \"" + v.substring(6) + "\"");
                }
                flush = true;
            } else if (v.equals("gzip") || v.startsWith("gzip=")) {
                long level = v.length() == 4 ? 1 : NginxValues.atoi(v.substring(5));
                if (level < 1 || level > 9) {
                    return Optional.of("invalid compression level \"" + v.substring(Math.min(5, v.length())) + "\"");
                }
                buffer = true;
            } else if (!v.startsWith("if=")) {
                return Optional.of("invalid parameter \"" + v + "\"");
            }
        }
        return flush && !buffer ? Optional.of("no buffer is defined for access_log \"" + a.get(0) + "\"")
                : Optional.empty();
    }

    /** ngx_http_core_open_file_cache: max=, inactive=, off. */
    private static Optional<String> openFileCache(List<String> a) {
        boolean max = false;
        boolean off = false;
        for (String v : a) {
            boolean ok;
            if (v.startsWith("max=")) {
                ok = NginxValues.atoi(v.substring(4)) > 0;
                max = true;
            } else if (v.startsWith("inactive=")) {
                ok = NginxValues.isTime(v.substring(9), true);
            } else {
                ok = v.equals("off");
                off |= ok;
            }
            if (!ok) {
                return Optional.of("invalid \"open_file_cache\" parameter \"" + v + "\"");
            }
        }
        return !off && !max ? Optional.of("\"open_file_cache\" must have the \"max\" parameter") : Optional.empty();
    }

    /** ngx_http_core_listen: the values of backlog=, rcvbuf=, sndbuf=, fastopen=. */
    private static Optional<String> listen(List<String> a) {
        for (String v : a.subList(1, a.size())) {
            if (v.startsWith("backlog=") && NginxValues.atoi(v.substring(8)) <= 0) {
                return Optional.of("invalid backlog \"" + v + "\"");
            }
            if (v.startsWith("rcvbuf=") && NginxValues.parseSize(v.substring(7)) < 0) {
                return Optional.of("invalid rcvbuf \"" + v + "\"");
            }
            if (v.startsWith("sndbuf=") && NginxValues.parseSize(v.substring(7)) < 0) {
                return Optional.of("invalid sndbuf \"" + v + "\"");
            }
            if (v.startsWith("fastopen=") && NginxValues.atoi(v.substring(9)) < 0) {
                return Optional.of("invalid fastopen \"" + v + "\"");
            }
        }
        return Optional.empty();
    }

    /** ngx_http_ssl_session_cache: off, none, builtin[:size], shared:name:size of eight pages or more. */
    private static Optional<String> sessionCache(List<String> a) {
        for (String v : a) {
            if (v.equals("off") || v.equals("none") || v.equals("builtin")) {
                continue;
            }
            if (v.length() > 8 && v.startsWith("builtin:")) {
                if (NginxValues.atoi(v.substring(8)) < 0) {
                    return Optional.of("invalid session cache \"" + v + "\"");
                }
                continue;
            }
            if (v.length() > 7 && v.startsWith("shared:")) {
                int colon = v.indexOf(':', 7);
                long size = colon <= 7 ? -1 : NginxValues.parseSize(v.substring(colon + 1));
                if (size < 0) {
                    return Optional.of("invalid session cache \"" + v + "\"");
                }
                if (size < 8 * NginxValues.PAGE_SIZE) {
                    return Optional.of("session cache \"" + v + "\" is too small");
                }
                continue;
            }
            return Optional.of("invalid session cache \"" + v + "\"");
        }
        return Optional.empty();
    }
}
