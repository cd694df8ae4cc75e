package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.DirectiveRules.Placed;
import dev.proxystage.internal.nginx.DirectiveTable.Context;
import dev.proxystage.internal.nginx.DirectiveTable.Parameter;
import dev.proxystage.internal.nginx.DirectiveTable.Variable;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Values as nginx parses them, for the directives {@link DirectiveRules} placed: if conditions, regexes (location,
 * server_name, if, map, rewrite), return codes, rewrite flags, listen parameters, a listen or location given twice, an
 * upstream defined twice, a URI part in proxy_pass where nginx forbids one, variables no module and no directive
 * defines, and shared memory zones used but never defined. Each only where the rule is nginx's own and certain; the
 * message starts with nginx's wording and points at the directive.
 */
final class ValueRules {

    /** listen parameters that set socket options; two servers may not both set them on one address:port. */
    private static final Set<String> SOCKET_OPTIONS = Set.of("bind", "setfib=", "fastopen=", "backlog=", "rcvbuf=",
            "sndbuf=", "accept_filter=", "deferred", "ipv6only=", "reuseport", "so_keepalive=");

    /** nginx's message for a default server of a "listen ... ssl" of its own without a certificate. */
    static final String NO_CERTIFICATE = "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive";

    private static final String URI_PART = "\"proxy_pass\" cannot have URI part in location given by regular "
            + "expression, or inside named location, or inside \"if\" statement, or inside \"limit_except\" block";

    private final DirectiveTable table;
    private final NginxRules.Options options;
    private final boolean modulesOpen;
    private final boolean implicitMain;
    private final List<Problem> problems = new ArrayList<>();

    ValueRules(DirectiveTable table, NginxRules.Options options, boolean modulesOpen, boolean implicitMain) {
        this.table = table;
        this.options = options;
        this.modulesOpen = modulesOpen;
        this.implicitMain = implicitMain;
    }

    List<Problem> check(List<Placed> placed) {
        // By block identity (two blocks may be equal records), in configuration order.
        Map<Directive, List<Placed>> listensByServer = new IdentityHashMap<>();
        List<List<Placed>> listenGroups = new ArrayList<>();
        Map<Directive, List<Directive>> locationsByBlock = new IdentityHashMap<>();
        List<List<Directive>> locationGroups = new ArrayList<>();
        for (Placed p : placed) {
            Directive d = p.directive();
            String module = p.entry().module();
            switch (d.name()) {
                case "if" -> ifCondition(d);
                case "location" -> {
                    location(d);
                    nestedLocation(d, p.location());
                    Directive outer = p.location() != null ? p.location() : p.server();
                    if (outer != null) {
                        locationsByBlock.computeIfAbsent(outer, k -> add(locationGroups)).add(d);
                    }
                }
                case "server_name" -> {
                    if (p.context() == Context.SERVER) {
                        for (String name : d.args()) {
                            if (name.startsWith("~")) {
                                regex(d, name.substring(1));
                            }
                        }
                    }
                }
                case "rewrite" -> rewrite(d);
                case "error_page" -> errorPage(d);
                case "return" -> {
                    if (module.equals("ngx_http_rewrite_module")) {
                        returnCode(d);
                    }
                }
                case "map" -> {
                    if (p.context() == Context.HTTP || p.context() == Context.STREAM) {
                        mapKeys(d);
                    }
                }
                case "geo" -> geoEntries(d);
                case "split_clients" -> splitClients(d);
                case "server" -> {
                    if (p.context() == Context.UPSTREAM || p.context() == Context.STREAM_UPSTREAM) {
                        parameters(d, "server", p.context() == Context.UPSTREAM ? "http" : "stream");
                    }
                }
                case "listen" -> {
                    String kind = listenKind(p.context());
                    if (kind != null) {
                        parameters(d, "listen", kind);
                    }
                    if (p.context() == Context.SERVER && p.server() != null) {
                        listensByServer.computeIfAbsent(p.server(), k -> add(listenGroups)).add(p);
                    }
                }
                case "proxy_pass" -> {
                    if (module.equals("ngx_http_proxy_module")) {
                        proxyPassUri(p);
                    }
                }
                default -> {
                }
            }
        }
        duplicateLocations(locationGroups);
        duplicateListens(listenGroups);
        certificates(placed, listenGroups);
        duplicateUpstreams(placed);
        duplicateZoneLimits(placed);
        zones(placed);
        logFormats(placed);
        new Variables(placed).check();
        return problems;
    }

    private static <T> List<T> add(List<List<T>> groups) {
        List<T> group = new ArrayList<>();
        groups.add(group);
        return group;
    }

    private void error(Directive d, String message) {
        problems.add(new Problem(Severity.ERROR, Rule.NGINX_VALUE, d.file(), d.line(), message));
    }

    // ---- if --------------------------------------------------------------------------------------------------

    /** ngx_http_rewrite_if_condition: "(" ... ")", then a variable with an optional operator, or a file test. */
    private void ifCondition(Directive d) {
        ifProblem(d.args()).ifPresent(m -> error(d, m));
    }

    static Optional<String> ifProblem(List<String> args) {
        List<String> v = new ArrayList<>(args);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String first = v.get(0);
        if (first.isEmpty() || first.charAt(0) != '(') {
            return Optional.of("invalid condition \"" + first + "\"");
        }
        int cur;
        if (first.length() == 1) {
            cur = 1;
        } else {
            cur = 0;
            v.set(0, first.substring(1));
        }
        int last = v.size() - 1;
        String end = v.get(last);
        if (end.isEmpty() || end.charAt(end.length() - 1) != ')') {
            return Optional.of("invalid condition \"" + end + "\"");
        }
        if (end.length() == 1) {
            last--;
        } else {
            v.set(last, end.substring(0, end.length() - 1));
        }
        // "()" and "( )": nothing is left between the parentheses but the ")" nginx then reads as the condition
        String p = v.get(cur);
        if (p.length() > 1 && p.charAt(0) == '$') {
            if (cur != last && cur + 2 != last) {
                return Optional.of("invalid condition \"" + p + "\"");
            }
            if (cur == last) {
                return Optional.empty();
            }
            String op = v.get(cur + 1);
            switch (op) {
                case "=", "!=" -> {
                    return Optional.empty();
                }
                case "~", "~*", "!~", "!~*" -> {
                    return PcreSyntax.check(v.get(last));
                }
                default -> {
                    return Optional.of("unexpected \"" + op + "\" in condition");
                }
            }
        }
        if ((p.length() == 2 && p.charAt(0) == '-') || (p.length() == 3 && p.startsWith("!-"))) {
            if (cur + 1 != last) {
                return Optional.of("invalid condition \"" + p + "\"");
            }
            char test = p.charAt(p.length() - 1);
            return "fdex".indexOf(test) >= 0 ? Optional.empty() : Optional.of("invalid condition \"" + p + "\"");
        }
        return Optional.of("invalid condition \"" + p + "\"");
    }

    /**
     * The variable an if condition tests or compares ("$x" alone, or before "=", "!=", "~" ...), lower-cased, or null
     * for a file test or a malformed condition. nginx takes the whole word after "$" as one name: "$a$b" is the
     * variable "a$b", "${a}" the variable "{a}", and only a variable of that very name (or a prefix variable such as
     * "$arg_...") is defined.
     */
    static String ifVariable(List<String> args) {
        List<String> v = ifWords(args);
        if (v.isEmpty() || !v.get(0).startsWith("$")) {
            return null;
        }
        return v.get(0).substring(1).toLowerCase(Locale.ROOT);
    }

    /** The words of a well-formed if condition that nginx compiles as values: the compared value, the tested path. */
    static List<String> ifValues(List<String> args) {
        List<String> v = ifWords(args);
        if (v.size() == 3 && !v.get(1).contains("~")) {
            return List.of(v.get(2));
        }
        if (v.size() == 2 && !v.get(0).startsWith("$")) {
            return List.of(v.get(1));
        }
        return List.of();
    }

    /** The words of a well-formed if condition without its parentheses: "$x", "~", "^/a"; empty if malformed. */
    static List<String> ifWords(List<String> args) {
        if (args.isEmpty() || ifProblem(args).isPresent()) {
            return List.of();
        }
        List<String> v = new ArrayList<>(args);
        v.set(0, v.get(0).substring(1));
        int last = v.size() - 1;
        v.set(last, v.get(last).substring(0, v.get(last).length() - 1));
        if (v.get(0).isEmpty()) {
            v.remove(0);
        }
        if (!v.isEmpty() && v.get(v.size() - 1).isEmpty()) {
            v.remove(v.size() - 1);
        }
        return v;
    }

    // ---- regexes -------------------------------------------------------------------------------------------

    private void regex(Directive d, String pattern) {
        PcreSyntax.check(pattern).ifPresent(m -> error(d, m));
    }

    /** A location's modifier and name, as ngx_http_core_location reads one or two arguments. */
    record LocationName(String modifier, String name) {

        static Optional<LocationName> of(Directive d) {
            List<String> a = d.args();
            if (a.size() == 2) {
                return switch (a.get(0)) {
                    case "=", "^~", "~", "~*" -> Optional.of(new LocationName(a.get(0), a.get(1)));
                    default -> Optional.empty();
                };
            }
            if (a.size() != 1 || a.get(0).isEmpty()) {
                return Optional.empty();
            }
            String n = a.get(0);
            if (n.startsWith("=")) {
                return Optional.of(new LocationName("=", n.substring(1)));
            }
            if (n.startsWith("^~")) {
                return Optional.of(new LocationName("^~", n.substring(2)));
            }
            if (n.startsWith("~*")) {
                return Optional.of(new LocationName("~*", n.substring(2)));
            }
            if (n.startsWith("~")) {
                return Optional.of(new LocationName("~", n.substring(1)));
            }
            if (n.startsWith("@")) {
                return Optional.of(new LocationName("@", n));
            }
            return Optional.of(new LocationName("", n));
        }

        boolean regex() {
            return modifier.startsWith("~");
        }
    }

    private void location(Directive d) {
        LocationName.of(d).filter(LocationName::regex).ifPresent(l -> regex(d, l.name()));
    }

    /** ngx_http_core_location: what a location inside another may be. */
    private void nestedLocation(Directive d, Directive parent) {
        if (parent == null) {
            return;
        }
        Optional<LocationName> inner = LocationName.of(d);
        Optional<LocationName> outer = LocationName.of(parent);
        if (inner.isEmpty() || outer.isEmpty()) {
            return;
        }
        String name = inner.get().name();
        String parentName = outer.get().name();
        if (outer.get().modifier().equals("=")) {
            error(d, "location \"" + name + "\" cannot be inside the exact location \"" + parentName + "\"");
        } else if (outer.get().modifier().equals("@")) {
            error(d, "location \"" + name + "\" cannot be inside the named location \"" + parentName + "\"");
        } else if (inner.get().modifier().equals("@")) {
            error(d, "named location \"" + name + "\" can be on the server level only");
        } else if (!inner.get().regex() && !name.startsWith(parentName)) {
            error(d, "location \"" + name + "\" is outside location \"" + parentName + "\"");
        }
    }

    /** ngx_http_core_error_page: codes between 300 and 599 (not 499), an optional "=code" before the URI. */
    private void errorPage(Directive d) {
        List<String> a = d.args();
        int i = a.size() - 2;
        int n = 1;
        if (a.get(i).startsWith("=")) {
            String overwrite = a.get(i).substring(1);
            if (i == 0 || (!overwrite.isEmpty() && !isDigits(overwrite))) {
                error(d, "invalid value \"" + a.get(i) + "\"");
                return;
            }
            n = 2;
        }
        for (int k = 0; k < a.size() - n; k++) {
            String code = a.get(k);
            if (!isDigits(code) || code.replaceFirst("^0+(?=.)", "").equals("499")) {
                error(d, "invalid value \"" + code + "\"");
                return;
            }
            String trimmed = code.replaceFirst("^0+(?=.)", "");
            int status = trimmed.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(trimmed);
            if (status < 300 || status > 599) {
                error(d, "value \"" + code + "\" must be between 300 and 599");
                return;
            }
        }
    }

    /**
     * ngx_http_log_set_log: an access_log names a log_format defined before it ("combined" is built in); and
     * ngx_http_log_set_format: a log_format name is defined once (case-sensitive). Without a main config, conf.d sits
     * in the image's http block, which defines "main" before it (nginx's official image and the offline one).
     */
    private void logFormats(List<Placed> placed) {
        Set<String> exact = new HashSet<>(Set.of("combined"));
        if (implicitMain) {
            exact.add("main");
        }
        Set<String> lower = new HashSet<>();
        exact.forEach(n -> lower.add(n.toLowerCase(Locale.ROOT)));
        for (Placed p : placed) {
            Directive d = p.directive();
            if (!p.entry().module().equals("ngx_http_log_module")) {
                continue;
            }
            if (d.name().equals("log_format")) {
                String name = d.args().get(0);
                if (!exact.add(name)) {
                    error(d, "duplicate \"log_format\" name \"" + name + "\"" + (name.equals("main") && implicitMain
                            ? " (without a main config in pipeline.yml, conf.d is included in the image's http block,"
                            + " which defines \"main\" already)" : ""));
                }
                lower.add(name.toLowerCase(Locale.ROOT));
            } else if (d.name().equals("access_log") && d.args().size() >= 2 && !d.args().get(0).equals("off")
                    && !lower.contains(d.args().get(1).toLowerCase(Locale.ROOT))) {
                error(d, "unknown log format \"" + d.args().get(1) + "\"");
            }
        }
    }

    private void rewrite(Directive d) {
        if (d.args().isEmpty()) {
            return;
        }
        regex(d, d.args().get(0));
        if (d.args().size() == 3) {
            String flag = d.args().get(2);
            if (!Set.of("last", "break", "redirect", "permanent").contains(flag)) {
                error(d, "invalid parameter \"" + flag + "\"");
            }
        }
    }

    /**
     * ngx_http_map: regex keys, one "default", and no key twice (exact keys case-insensitively; with "hostnames",
     * wildcards by what they match: "*.example.com" and ".example.com" are one, ".example.com" claims
     * "example.com" as well).
     */
    private void mapKeys(Directive map) {
        boolean hostnames = false;
        boolean defaulted = false;
        Set<String> exact = new HashSet<>();
        Set<String> head = new HashSet<>();
        Set<String> tail = new HashSet<>();
        for (Directive entry : map.block()) {
            String key = entry.name();
            if (entry.args().isEmpty() && (key.equals("hostnames") || key.equals("volatile"))) {
                hostnames |= key.equals("hostnames");
                continue;
            }
            if (entry.args().size() != 1) {
                error(entry, "invalid number of the map parameters");
                return;
            }
            if (key.equals("include")) {
                continue;
            }
            if (key.equals("default")) {
                if (defaulted) {
                    error(entry, "duplicate default map parameter");
                    return;
                }
                defaulted = true;
                continue;
            }
            if (key.startsWith("~*")) {
                regex(entry, key.substring(2));
                continue;
            } else if (key.startsWith("~")) {
                regex(entry, key.substring(1));
                continue;
            }
            if (key.startsWith("\\")) {
                key = key.substring(1);
            }
            String lower = key.toLowerCase(Locale.ROOT);
            boolean busy;
            if (!hostnames) {
                busy = !exact.add(lower);
            } else {
                int stars = (int) lower.chars().filter(c -> c == '*').count();
                if (stars > 1 || lower.contains("..") || lower.indexOf('\0') >= 0) {
                    error(entry, "invalid hostname or wildcard \"" + key + "\"");
                    return;
                }
                if (lower.length() > 1 && lower.startsWith(".")) {
                    busy = !exact.add(lower.substring(1)) || !head.add(lower.substring(1));
                } else if (lower.length() > 2 && lower.startsWith("*.")) {
                    busy = !head.add(lower.substring(2));
                } else if (lower.length() > 2 && lower.endsWith(".*")) {
                    busy = !tail.add(lower.substring(0, lower.length() - 2));
                } else if (stars > 0) {
                    error(entry, "invalid hostname or wildcard \"" + key + "\"");
                    return;
                } else {
                    busy = !exact.add(lower);
                }
            }
            if (busy) {
                error(entry, "conflicting parameter \"" + lower + "\"");
                return;
            }
        }
    }

    /**
     * ngx_http_geo_block: "ranges" (then "a-b" ranges of IPv4 addresses), "default", "delete", "proxy" and networks
     * as ngx_ptocidr reads them.
     */
    private void geoEntries(Directive geo) {
        boolean ranges = false;
        for (Directive entry : geo.block()) {
            String key = entry.name();
            if (entry.args().isEmpty() && (key.equals("ranges") || key.equals("proxy_recursive"))) {
                ranges |= key.equals("ranges");
                continue;
            }
            if (entry.args().size() != 1) {
                error(entry, "invalid number of the geo parameters");
                return;
            }
            String net = key.equals("delete") ? entry.args().get(0) : key;
            if (key.equals("include") || key.equals("default")) {
                continue;
            }
            if (key.equals("proxy")) {
                if (NginxValues.cidr(net = entry.args().get(0)) == NginxValues.Cidr.ERROR) {
                    error(entry, "invalid network \"" + net + "\"");
                    return;
                }
                continue;
            }
            if (ranges) {
                int dash = net.indexOf('-');
                long start = dash < 0 ? -1 : NginxValues.ipv4(net.substring(0, dash));
                long end = dash < 0 ? -1 : NginxValues.ipv4(net.substring(dash + 1));
                if (start < 0 || end < 0 || start > end) {
                    error(entry, "invalid range \"" + net + "\"");
                    return;
                }
            } else if (!net.equals("255.255.255.255") && NginxValues.cidr(net) == NginxValues.Cidr.ERROR) {
                error(entry, "invalid network \"" + net + "\"");
                return;
            }
        }
    }

    /** ngx_conf_split_clients_block: "N%" parts (two decimals) or "*", adding up to at most 100%. */
    private void splitClients(Directive split) {
        long sum = 0;
        for (Directive entry : split.block()) {
            String key = entry.name();
            long percent = 0;
            if (!key.equals("*")) {
                percent = key.endsWith("%") ? NginxValues.atofp(key.substring(0, key.length() - 1), 2) : -1;
                if (percent <= 0) {
                    error(entry, "invalid percent value \"" + key + "\"");
                    return;
                }
            }
            sum = percent > 0 ? sum + percent : 10000;
            if (sum > 10000) {
                // nginx adds them up once the block is read: at its "}"
                problems.add(new Problem(Severity.ERROR, Rule.NGINX_VALUE, split.file(), split.close(), "percent total is greater than"
                        + " 100% (from line " + entry.line() + ")"));
                return;
            }
        }
    }

    // ---- return ----------------------------------------------------------------------------------------------

    /** ngx_http_rewrite_return: a code of at most 999, or (alone) a URL starting http://, https:// or $scheme. */
    private void returnCode(Directive d) {
        String code = d.args().get(0);
        if (isDigits(code)) {
            if (code.replaceFirst("^0+(?=.)", "").length() > 3) {
                error(d, "invalid return code \"" + code + "\"");
            }
            return;
        }
        boolean url = code.startsWith("http://") || code.startsWith("https://") || code.startsWith("$scheme");
        if (d.args().size() != 1 || !url) {
            error(d, "invalid return code \"" + code + "\"");
        }
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    // ---- listen and upstream server ----------------------------------------------------------------------------------------------

    private static String listenKind(Context context) {
        return switch (context) {
            case SERVER -> "http";
            case STREAM_SERVER -> "stream";
            case MAIL_SERVER -> "mail";
            default -> null;
        };
    }

    /** The arguments after the address of a listen or upstream server, each one nginx's parser compares with. */
    private void parameters(Directive d, String directive, String kind) {
        List<Parameter> known = table.parameters(directive, kind);
        for (String arg : d.args().subList(1, d.args().size())) {
            boolean ok = false;
            for (Parameter p : known) {
                if (p.matches(arg) && !lacks(p.first(), p.last())) {
                    ok = true;
                    break;
                }
            }
            if (!ok && !options.version().map(table::isBeyond).orElse(false)) {
                error(d, "invalid parameter \"" + arg + "\"");
                return;
            }
        }
    }

    private boolean lacks(String first, String last) {
        return options.version().map(v -> table.surelyLacks(first, last, v)).orElse(false);
    }

    /** "0.0.0.0:80", "[::]:443": a listen's address:port as nginx prints it; null for names and sockets. */
    static String addressPort(String arg) {
        if (arg.startsWith("unix:")) {
            return null;
        }
        if (isDigits(arg)) {
            return "0.0.0.0:" + Integer.parseInt(arg);
        }
        if (arg.startsWith("[")) {
            int close = arg.indexOf(']');
            if (close < 0) {
                return null;
            }
            String port = close + 1 < arg.length() ? arg.substring(close + 2) : "80";
            return isDigits(port) ? arg.substring(0, close + 1).toLowerCase(Locale.ROOT) + ":" + Integer.parseInt(port)
                    : null;
        }
        int colon = arg.lastIndexOf(':');
        String host = colon < 0 ? arg : arg.substring(0, colon);
        String port = colon < 0 ? "80" : arg.substring(colon + 1);
        if (!isDigits(port)) {
            return null;
        }
        if (host.equals("*")) {
            host = "0.0.0.0";
        }
        return Addresses.isIpv4(host) && host.equals(canonicalIpv4(host)) ? host + ":" + Integer.parseInt(port) : null;
    }

    private static String canonicalIpv4(String host) {
        String[] parts = host.split("\\.");
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            out.add(String.valueOf(Integer.parseInt(p)));
        }
        return String.join(".", out);
    }

    private static boolean setsSocketOptions(Directive listen) {
        for (String arg : listen.args().subList(1, listen.args().size())) {
            for (String option : SOCKET_OPTIONS) {
                if (option.endsWith("=") ? arg.startsWith(option) : arg.equals(option)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * ngx_http_add_addresses: one address:port twice in a server ("a duplicate listen"), or socket options set by
     * two listens of it ("duplicate listen options"). QUIC listens are UDP sockets of their own.
     */
    private void duplicateListens(List<List<Placed>> byServer) {
        Map<String, Directive> withOptions = new HashMap<>();
        for (List<Placed> listens : byServer) {
            Map<String, Directive> inServer = new HashMap<>();
            for (Placed p : listens) {
                Directive d = p.directive();
                String address = addressPort(d.args().get(0));
                if (address == null) {
                    continue;
                }
                String key = d.args().contains("quic") ? address + " quic" : address;
                boolean options = setsSocketOptions(d);
                if (options && withOptions.containsKey(key)) {
                    error(d, "duplicate listen options for " + address + " (the first are at "
                            + Problem.near(d, withOptions.get(key)) + ")");
                    continue;
                }
                if (options) {
                    withOptions.put(key, d);
                }
                Directive earlier = inServer.putIfAbsent(key, d);
                if (earlier != null) {
                    error(d, "a duplicate listen " + address + " (the first is at " + Problem.near(d, earlier) + ")");
                }
            }
        }
    }

    /**
     * ngx_http_ssl_init: the default server of every address:port that a listen marks "ssl" (or "quic") needs a
     * certificate, its own or the http block's, unless it rejects the handshake; then every server there needs one.
     * A server whose own listen has "ssl" gets nginx's message as it is ({@link #NO_CERTIFICATE}), which the stage
     * plan leaves to its certificate check (it words it for ProxyStage's certificates); a server that gets "ssl"
     * from another server's listen gets it with why.
     */
    private void certificates(List<Placed> placed, List<List<Placed>> listensByServer) {
        boolean httpCert = false;
        boolean httpReject = false;
        Map<Directive, Boolean> cert = new IdentityHashMap<>();
        Map<Directive, Boolean> reject = new IdentityHashMap<>();
        for (Placed p : placed) {
            Directive d = p.directive();
            boolean on = d.name().equals("ssl_reject_handshake") && d.args().get(0).equalsIgnoreCase("on");
            if (p.context() == Context.HTTP) {
                httpCert |= d.name().equals("ssl_certificate");
                httpReject |= on;
            } else if (p.context() == Context.SERVER && p.server() != null) {
                if (d.name().equals("ssl_certificate")) {
                    cert.put(p.server(), true);
                }
                if (d.name().equals("ssl_reject_handshake")) {
                    reject.put(p.server(), on);
                }
            }
        }
        // Every address:port with its servers in order, the marked default first.
        Map<String, List<Directive>> servers = new LinkedHashMap<>();
        Map<String, Directive> marked = new HashMap<>();
        Set<String> secure = new HashSet<>();
        Map<Directive, Set<String>> ownSecure = new IdentityHashMap<>(); // the secure keys of a server's own listens
        for (List<Placed> listens : listensByServer) {
            for (Placed p : listens) {
                Directive d = p.directive();
                String address = addressPort(d.args().get(0));
                if (address == null) {
                    continue;
                }
                boolean quic = d.args().contains("quic");
                String key = (quic ? "quic " : "ssl ") + address;
                List<Directive> at = servers.computeIfAbsent(key, k -> new ArrayList<>());
                if (at.stream().noneMatch(s -> s == p.server())) {
                    at.add(p.server());
                }
                if (d.args().contains("default_server") || d.args().contains("default")) {
                    marked.putIfAbsent(key, p.server());
                }
                if (quic || d.args().contains("ssl")) {
                    secure.add(key);
                    ownSecure.computeIfAbsent(p.server(), k -> new HashSet<>()).add(key);
                }
            }
        }
        for (String key : secure) {
            List<Directive> at = servers.get(key);
            Directive first = marked.getOrDefault(key, at.get(0));
            String kind = key.substring(0, key.indexOf(' '));
            String message = "no \"ssl_certificate\" is defined for the \"listen ... " + kind + "\" directive";
            boolean defaultRejects = reject.getOrDefault(first, httpReject);
            if (cert.getOrDefault(first, httpCert)) {
                continue;
            }
            if (!defaultRejects) {
                if (ownSecure.getOrDefault(first, Set.of()).contains(key)) {
                    error(first, message); // the stage plan's certificate check words it for the stage as well
                    continue;
                }
                error(first, message + " (this server is the default server of " + key.substring(kind.length() + 1)
                        + ", which a listen of another server marks \"" + kind + "\")");
                continue;
            }
            for (Directive server : at) {
                if (!cert.getOrDefault(server, httpCert) && !reject.getOrDefault(server, httpReject)) {
                    error(server, message + " (the default server of " + key.substring(kind.length() + 1)
                            + " rejects the handshake, so every server there needs its own)");
                    break;
                }
            }
        }
    }

    // ---- locations and upstreams -------------------------------------------------------------------------------

    /** ngx_http_join_exact_locations: two exact, or two prefix ("^~" or none), locations of one name in one block. */
    private void duplicateLocations(List<List<Directive>> byBlock) {
        for (List<Directive> locations : byBlock) {
            Map<String, Directive> seen = new HashMap<>();
            for (Directive d : locations) {
                Optional<LocationName> name = LocationName.of(d);
                if (name.isEmpty() || name.get().regex() || name.get().modifier().equals("@")) {
                    continue;
                }
                String kind = name.get().modifier().equals("=") ? "=" : "prefix";
                Directive earlier = seen.putIfAbsent(kind + " " + name.get().name(), d);
                if (earlier != null) {
                    error(d, "duplicate location \"" + name.get().name() + "\" (the first is at " + Problem.near(d, earlier)
                            + ")");
                }
            }
        }
    }

    /** ngx_http_upstream_add: two upstream blocks of one name (case-insensitive), in http or in stream. */
    private void duplicateUpstreams(List<Placed> placed) {
        Map<String, Directive> seen = new HashMap<>();
        for (Placed p : placed) {
            Directive d = p.directive();
            if (d.name().equals("upstream") && d.hasBlock() && !d.args().isEmpty()) {
                String key = p.context() + " " + d.args().get(0).toLowerCase(Locale.ROOT);
                Directive earlier = seen.putIfAbsent(key, d);
                if (earlier != null) {
                    error(d, "duplicate upstream \"" + d.args().get(0) + "\" (the first is at " + Problem.near(d, earlier) + ")");
                }
            }
        }
    }

    /** ngx_http_limit_req and ngx_http_limit_conn: one block may not limit by the same zone twice. */
    private void duplicateZoneLimits(List<Placed> placed) {
        Map<Directive, Map<String, Directive>> byBlock = new IdentityHashMap<>();
        for (Placed p : placed) {
            Directive d = p.directive();
            String zone = switch (d.name()) {
                case "limit_req" -> d.args().stream().filter(a -> a.startsWith("zone=")).map(a -> a.substring(5))
                        .findFirst().orElse(null);
                case "limit_conn" -> d.args().get(0);
                default -> null;
            };
            if (zone == null || p.parent() == null) {
                continue;
            }
            Map<String, Directive> seen = byBlock.computeIfAbsent(p.parent(), k -> new HashMap<>());
            Directive earlier = seen.putIfAbsent(p.entry().module() + " " + zone, d);
            if (earlier != null) {
                error(d, "\"" + d.name() + "\" directive is duplicate (zone \"" + zone + "\" is limited at "
                        + Problem.near(d, earlier) + " already)");
            }
        }
    }

    // ---- proxy_pass ------------------------------------------------------------------------------------------

    /** ngx_http_proxy_pass: no URI part in a regex or named location, in "if" or in "limit_except" (no variables). */
    private void proxyPassUri(Placed p) {
        Directive d = p.directive();
        String url = d.args().get(0);
        if (url.indexOf('$') >= 0) {
            return;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("http://")) {
            rest = url.substring(7);
        } else if (lower.startsWith("https://")) {
            rest = url.substring(8);
        } else {
            return;
        }
        boolean uri;
        if (rest.startsWith("unix:")) {
            int colon = rest.indexOf(':', 5);
            uri = colon >= 0 && colon + 1 < rest.length();
        } else {
            uri = rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0; // ngx_parse_url: "?" starts the URI as well
        }
        if (!uri) {
            return;
        }
        boolean forbidden = p.context() == Context.IF_IN_LOCATION || p.context() == Context.LIMIT_EXCEPT;
        if (!forbidden && p.location() != null) {
            Optional<LocationName> name = LocationName.of(p.location());
            forbidden = name.isPresent() && (name.get().regex() || name.get().modifier().equals("@"));
        }
        if (forbidden) {
            error(d, URI_PART);
        }
    }

    // ---- shared memory zones ---------------------------------------------------------------------------------

    /**
     * A zone that limit_req, limit_conn or a cache uses, which no directive defines with a size: nginx stops with
     * "zero size shared memory zone" (limit_req, limit_conn) or "zone is unknown" (the caches).
     */
    private void zones(List<Placed> placed) {
        cachePaths(placed);
        Set<String> defined = new HashSet<>();
        for (Placed p : placed) {
            for (String arg : p.directive().args()) {
                String zone = null;
                if (arg.startsWith("zone=")) {
                    zone = arg.substring(5);
                } else if (arg.startsWith("keys_zone=")) {
                    zone = arg.substring(10);
                } else if (arg.startsWith("shared:")) {
                    zone = arg.substring(7);
                }
                if (zone != null && zone.indexOf(':') > 0) {
                    defined.add(zone.substring(0, zone.indexOf(':')));
                }
            }
            if (p.directive().name().equals("zone") && p.directive().args().size() == 2) {
                defined.add(p.directive().args().get(0)); // an upstream's zone, with its size
            }
        }
        for (Placed p : placed) {
            Directive d = p.directive();
            String module = p.entry().module();
            switch (d.name()) {
                case "limit_req" -> {
                    for (String arg : d.args()) {
                        if (arg.startsWith("zone=") && !defined.contains(arg.substring(5))) {
                            error(d, "zero size shared memory zone \"" + arg.substring(5) + "\" (no limit_req_zone"
                                    + " defines it)");
                        }
                    }
                }
                case "zone" -> {
                    // an upstream's zone without a size shares one that another upstream sizes
                    if (d.args().size() == 1 && !defined.contains(d.args().get(0))) {
                        error(d, "zero size shared memory zone \"" + d.args().get(0) + "\" (no upstream zone gives"
                                + " it a size)");
                    }
                }
                case "limit_conn" -> {
                    String zone = d.args().get(0);
                    if (!defined.contains(zone)) {
                        error(d, "zero size shared memory zone \"" + zone + "\" (no limit_conn_zone defines it)");
                    }
                }
                case "proxy_cache", "fastcgi_cache", "uwsgi_cache", "scgi_cache" -> {
                    String zone = d.args().get(0);
                    if (module.startsWith("ngx_http_") && !zone.equals("off") && zone.indexOf('$') < 0
                            && !defined.contains(zone)) {
                        error(d, "\"" + d.name() + "\" zone \"" + zone + "\" is unknown (no " + d.name()
                                + "_path keys_zone defines it; nginx reports it at " + httpEnd(placed) + ")");
                    }
                }
                default -> {
                }
            }
        }
    }

    /**
     * Two cache paths ({@code proxy_cache_path}, {@code fastcgi_cache_path}, ...) with one {@code keys_zone} name, or on
     * one directory: nginx stops at the second with {@code duplicate zone "name"} (ngx_http_file_cache_set_slot) or
     * {@code the same path name "dir" used in file:line and} (ngx_add_path, whose paths every cache shares).
     */
    private void cachePaths(List<Placed> placed) {
        Map<String, Directive> zones = new HashMap<>();
        Map<String, Directive> paths = new HashMap<>();
        for (Placed p : placed) {
            Directive d = p.directive();
            if (!d.name().endsWith("_cache_path") || !p.entry().module().startsWith("ngx_http_") || d.args().isEmpty()) {
                continue;
            }
            String path = d.args().get(0);
            while (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            Directive first = paths.putIfAbsent(path, d);
            if (first != null) {
                error(d, "the same path name \"" + path + "\" used in " + first.where() + " and here (two caches"
                        + " cannot share a directory)");
                continue;
            }
            for (String arg : d.args()) {
                if (arg.startsWith("keys_zone=") && arg.indexOf(':') > 10) {
                    String zone = arg.substring(10, arg.indexOf(':'));
                    Directive before = zones.putIfAbsent(zone, d);
                    if (before != null) {
                        error(d, "duplicate zone \"" + zone + "\" (the first is at " + before.where() + ")");
                    }
                }
            }
        }
    }

    /** Where nginx reports what it finds merging the http block (see {@link Merges#httpEnd}). */
    private String httpEnd(List<Placed> placed) {
        for (Placed p : placed) {
            if (p.directive().name().equals("http") && p.context() == Context.MAIN) {
                return Merges.httpEnd(p.directive(), implicitMain);
            }
        }
        return "the end of the http block";
    }

    // ---- variables -------------------------------------------------------------------------------------------

    /**
     * Variables used but never defined: nginx stops with {@code unknown "name" variable}. Defined are the variables
     * of nginx's modules (and their prefixes, such as {@code $http_}), those set/map/geo/split_clients/
     * auth_request_set/perl_set define, and the named captures of any regex. Only arguments nginx compiles as scripts
     * are read.
     */
    private final class Variables {

        private final List<Placed> placed;
        private final Map<String, Set<String>> defined = new HashMap<>();
        private final Map<String, List<String>> prefixes = new HashMap<>();

        Variables(List<Placed> placed) {
            this.placed = placed;
            for (String kind : List.of("http", "stream")) {
                Set<String> names = new HashSet<>();
                List<String> pre = new ArrayList<>();
                for (Variable v : table.variables(kind)) {
                    if (lacks(v.first(), v.last())) {
                        continue;
                    }
                    if (v.prefix()) {
                        pre.add(v.name());
                    } else {
                        names.add(v.name());
                    }
                }
                defined.put(kind, names);
                prefixes.put(kind, pre);
            }
        }

        void check() {
            for (Placed p : placed) {
                String kind = kind(p.context());
                if (kind == null) {
                    continue;
                }
                Directive d = p.directive();
                switch (d.name()) {
                    case "set", "auth_request_set", "perl_set" -> define(kind, d.args().get(0));
                    case "map", "split_clients" -> {
                        if (d.args().size() >= 2) {
                            define(kind, d.args().get(1));
                        }
                    }
                    case "geo" -> define(kind, d.args().get(d.args().size() - 1));
                    default -> {
                    }
                }
                for (String pattern : regexes(p)) {
                    for (String name : PcreSyntax.namedGroups(pattern)) {
                        define(kind, "$" + name);
                    }
                }
            }
            Map<String, Directive> reported = new LinkedHashMap<>();
            for (Placed p : placed) {
                String kind = kind(p.context());
                if (kind == null) {
                    continue;
                }
                if (p.directive().name().equals("if")) {
                    String tested = ifVariable(p.directive().args());
                    if (tested != null) {
                        used(kind, tested, p.directive(), reported);
                    }
                }
                for (String arg : scripts(p)) {
                    for (String name : references(arg)) {
                        if (name.isEmpty()) {
                            // log_format reads its variables itself, with a message of its own
                            if (!p.directive().name().equals("log_format")) {
                                error(p.directive(), "invalid variable name (a \"$\" without a name after it in \""
                                        + arg + "\")");
                            }
                            break;
                        }
                        used(kind, name.toLowerCase(Locale.ROOT), p.directive(), reported);
                    }
                }
            }
        }

        /** A variable {@code d} looks up by name: nginx stops at one nothing defines (reported once per name). */
        private void used(String kind, String lower, Directive d, Map<String, Directive> reported) {
            if (known(kind, lower) || reported.containsKey(kind + " " + lower)) {
                return;
            }
            reported.put(kind + " " + lower, d);
            String message = "unknown \"" + lower + "\" variable";
            if (modulesOpen) {
                problems.add(new Problem(Severity.WARNING, Rule.NGINX_VALUE, d.file(), d.line(), message
                        + " (no module of nginx's own defines it; a loaded module may)"));
            } else {
                error(d, message);
            }
        }

        private boolean known(String kind, String name) {
            if (defined.get(kind).contains(name)) {
                return true;
            }
            for (String prefix : prefixes.get(kind)) {
                if (name.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        private void define(String kind, String arg) {
            if (arg.startsWith("$") && arg.length() > 1) {
                defined.get(kind).add(arg.substring(1).toLowerCase(Locale.ROOT));
            }
        }

        private static String kind(Context context) {
            return switch (context.type) {
                case "http" -> "http";
                case "stream" -> "stream";
                default -> null;
            };
        }

        /** The regexes of a directive whose named captures become variables. */
        private List<String> regexes(Placed p) {
            Directive d = p.directive();
            List<String> out = new ArrayList<>();
            switch (d.name()) {
                case "location" -> LocationName.of(d).filter(LocationName::regex).ifPresent(l -> out.add(l.name()));
                case "server_name" -> d.args().stream().filter(a -> a.startsWith("~")).forEach(a -> out.add(a.substring(1)));
                case "rewrite" -> out.add(d.args().get(0));
                case "if" -> {
                    List<String> v = ifWords(d.args());
                    if (v.size() == 3 && v.get(1).contains("~")) {
                        out.add(v.get(2));
                    }
                }
                case "map" -> {
                    for (Directive entry : d.block()) {
                        if (entry.name().startsWith("~")) {
                            out.add(entry.name());
                        }
                    }
                }
                default -> {
                }
            }
            return out;
        }

        /** The arguments of {@code p} that nginx compiles as scripts or complex values (their variables are looked up). */
        private List<String> scripts(Placed p) {
            Directive d = p.directive();
            List<String> a = d.args();
            String handler = p.entry().handler();
            if (handler.contains("complex_value") || handler.contains("predicate")) {
                return a;
            }
            return switch (d.name()) {
                case "return" -> a.size() == 2 ? List.of(a.get(1)) : isDigits(a.get(0)) ? List.of() : List.of(a.get(0));
                case "rewrite", "set", "auth_request_set", "proxy_set_header", "grpc_set_header", "fastcgi_param",
                     "uwsgi_param", "scgi_param", "add_header", "add_trailer" ->
                        a.size() >= 2 ? List.of(a.get(1)) : List.of();
                case "proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "root", "alias",
                     "limit_req_zone", "limit_conn_zone", "proxy_cache_key", "fastcgi_cache_key",
                     "uwsgi_cache_key", "scgi_cache_key" -> List.of(a.get(0));
                case "try_files", "index" -> a;
                case "access_log" -> a.get(0).equals("off") ? List.of() : List.of(a.get(0));
                case "log_format" -> a.subList(1, a.size()).stream().filter(f -> !f.startsWith("escape=")).toList();
                case "error_page" -> List.of(a.get(a.size() - 1));
                case "map" -> {
                    List<String> values = new ArrayList<>(List.of(a.get(0)));
                    for (Directive entry : d.block()) {
                        values.addAll(entry.args());
                    }
                    yield values;
                }
                case "if" -> ifValues(a); // the tested variable is one name, see ifVariable
                default -> List.of();
            };
        }
    }

    /**
     * The variable names {@code arg} references, read as ngx_http_script_compile does: "$name" or "${name}", a name of
     * letters, digits and "_"; "$1".."$9" are regex captures. A "$" with no name after it adds "" to the list.
     */
    static List<String> references(String arg) {
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < arg.length()) {
            if (arg.charAt(i) != '$') {
                i++;
                continue;
            }
            i++;
            if (i >= arg.length()) {
                names.add(""); // a "$" that ends the value
                break;
            }
            char c = arg.charAt(i);
            if (c >= '1' && c <= '9') {
                i++;
                continue;
            }
            boolean bracket = c == '{';
            if (bracket) {
                i++;
            }
            int start = i;
            while (i < arg.length() && isNameChar(arg.charAt(i))) {
                i++;
            }
            if (i == start && !bracket) {
                names.add(""); // "$" followed by no name: nginx's "invalid variable name"
                continue;
            }
            if (bracket && (i >= arg.length() || arg.charAt(i) != '}')) {
                break; // an unclosed "${": NginxRules reports it
            }
            String name = arg.substring(start, i);
            if (bracket) {
                i++;
            }
            if (!name.isEmpty()) {
                names.add(name); // "$0..." is a variable named "0...", which nothing defines
            }
        }
        return names;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
