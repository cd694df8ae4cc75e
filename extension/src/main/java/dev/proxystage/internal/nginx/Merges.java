package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What nginx refuses only when it merges the http block's settings down into every server and location, once the
 * http block is read: buffer sizes of the proxy, fastcgi, uwsgi and scgi modules that do not fit together (as
 * inherited, with nginx's defaults), a charset recoding no charset_map covers, a certificate without its key. nginx
 * reports these at the end of the http block; each finding here points at the block whose settings fail, and names
 * nginx's place.
 */
final class Merges {

    private static final List<String> UPSTREAM_MODULES = List.of("proxy", "fastcgi", "uwsgi", "scgi");
    /** nginx's defaults: one page for the buffer size, 8 buffers of one page, 1024m of temporary file. */
    private static final long PAGE = NginxValues.PAGE_SIZE;
    private static final long MAX_TEMP_FILE = 1024L * 1024 * 1024;

    /** The note a certificate-key finding carries when its server listens with ssl (the stage plan reports those). */
    static final String LISTENS_SSL = " (its server listens with ssl)";

    private final List<Problem> problems = new ArrayList<>();
    private final boolean implicitMain;
    private String nginxPlace = "";
    private final Set<String> charsetMaps = new HashSet<>();

    private Merges(boolean implicitMain) {
        this.implicitMain = implicitMain;
    }

    static List<Problem> check(List<Directive> top, boolean implicitMain) {
        Merges m = new Merges(implicitMain);
        for (Directive http : top) {
            if (http.name().equals("http") && http.hasBlock()) {
                m.http(http);
            }
        }
        return m.problems;
    }

    private void http(Directive http) {
        nginxPlace = httpEnd(http, implicitMain);
        for (Directive d : http.block()) {
            if (d.name().equals("charset_map") && d.args().size() == 2) {
                String a = d.args().get(0).toLowerCase(Locale.ROOT);
                String b = d.args().get(1).toLowerCase(Locale.ROOT);
                charsetMaps.add(a + " " + b);
                charsetMaps.add(b + " " + a);
            }
        }
        Map<String, Directive> httpLevel = settings(http);
        for (Directive server : http.block()) {
            if (server.name().equals("server") && server.hasBlock()) {
                Map<String, Directive> merged = merge(httpLevel, server);
                Set<String> reported = new HashSet<>();
                certificateKey(server, merged);
                level(server, merged, reported);
                locations(server, merged, reported);
            }
        }
    }

    /** Where nginx reports what it finds merging {@code http}: the end of that block ("FILE:LINE, where ..."). */
    static String httpEnd(Directive http, boolean implicitMain) {
        return implicitMain || http.line() == 0
                ? "/etc/nginx/nginx.conf, where the image's http block ends after including conf.d"
                : http.file() + ":" + http.close() + ", where the http block ends";
    }

    /**
     * Every location, if and limit_except block inside {@code block}, merged from its parent, depth first. An
     * explicit stack, not recursion: nginx accepts any nesting depth.
     */
    private void locations(Directive block, Map<String, Directive> parent, Set<String> reported) {
        record Open(Directive block, Map<String, Directive> merged, int next) {
        }
        Deque<Open> open = new ArrayDeque<>();
        open.push(new Open(block, parent, 0));
        while (!open.isEmpty()) {
            Open top = open.pop();
            List<Directive> children = top.block().block();
            for (int i = top.next(); i < children.size(); i++) {
                Directive d = children.get(i);
                if (d.hasBlock() && (d.name().equals("location") || d.name().equals("if")
                        || d.name().equals("limit_except"))) {
                    Map<String, Directive> merged = merge(top.merged(), d);
                    level(d, merged, reported);
                    open.push(new Open(top.block(), top.merged(), i + 1));
                    open.push(new Open(d, merged, 0));
                    break;
                }
            }
        }
    }

    /** The directives a block sets itself, by name (the last one of a name). */
    private static Map<String, Directive> settings(Directive block) {
        Map<String, Directive> own = new HashMap<>();
        for (Directive d : block.block()) {
            if (!d.hasBlock()) {
                own.put(d.name(), d);
            }
        }
        return own;
    }

    /** ngx_conf_merge_*_value: what a block sets itself, else what it inherits. */
    private static Map<String, Directive> merge(Map<String, Directive> parent, Directive block) {
        Map<String, Directive> merged = new HashMap<>(parent);
        merged.putAll(settings(block));
        return merged;
    }

    private void level(Directive block, Map<String, Directive> merged, Set<String> reported) {
        for (String m : UPSTREAM_MODULES) {
            buffers(block, merged, m, reported);
        }
        charset(block, merged, reported);
    }

    /** ngx_http_proxy_merge_loc_conf (and fastcgi's, uwsgi's, scgi's): the buffers against each other. */
    private void buffers(Directive block, Map<String, Directive> merged, String m, Set<String> reported) {
        long bufferSize = size(merged.get(m + "_buffer_size"), PAGE);
        long num = 8;
        long bufSize = PAGE;
        Directive bufs = merged.get(m + "_buffers");
        if (bufs != null && bufs.args().size() == 2) {
            num = NginxValues.atoi(bufs.args().get(0));
            bufSize = NginxValues.parseSize(bufs.args().get(1));
            if (num < 0 || bufSize < 0) {
                return; // the slot check reports it
            }
        }
        String buffers = "\"" + m + "_buffers\"";
        String largest = "the maximum of the value of \"" + m + "_buffer_size\" and one of the " + buffers;
        String values = " (here " + m + "_buffer_size " + bytes(bufferSize) + ", " + m + "_buffers " + num + " "
                + bytes(bufSize);
        if (num < 2) {
            report(block, "there must be at least 2 " + buffers, values + ")", reported);
            return;
        }
        long size = Math.max(bufferSize, bufSize);
        Directive busyConf = merged.get(m + "_busy_buffers_size");
        long busy = busyConf == null ? 2 * size : size(busyConf, -1);
        if (busy < 0) {
            return;
        }
        String busyText = values + ", " + m + "_busy_buffers_size " + bytes(busy)
                + (busyConf == null ? " by default (twice the larger of the two)" : "") + ")";
        if (busy < size) {
            report(block, "\"" + m + "_busy_buffers_size\" must be equal to or greater than " + largest, busyText,
                    reported);
            return;
        }
        if (busy > (num - 1) * bufSize) {
            report(block, "\"" + m + "_busy_buffers_size\" must be less than the size of all " + buffers
                    + " minus one buffer", busyText, reported);
            return;
        }
        Directive tempConf = merged.get(m + "_temp_file_write_size");
        long temp = tempConf == null ? 2 * size : size(tempConf, -1);
        if (temp >= 0 && temp < size) {
            report(block, "\"" + m + "_temp_file_write_size\" must be equal to or greater than " + largest,
                    values + ", " + m + "_temp_file_write_size " + bytes(temp) + ")", reported);
            return;
        }
        Directive maxConf = merged.get(m + "_max_temp_file_size");
        long max = maxConf == null ? MAX_TEMP_FILE
                : maxConf.args().isEmpty() ? -1 : NginxValues.parseOffset(maxConf.args().get(0));
        if (max > 0 && max < size) {
            report(block, "\"" + m + "_max_temp_file_size\" must be equal to zero to disable temporary files usage"
                    + " or must be equal to or greater than " + largest, values + ", " + m + "_max_temp_file_size "
                    + bytes(max) + ")", reported);
        }
    }

    /** ngx_http_charset_merge_loc_conf and its postconfiguration: recoding needs a charset_map between the two. */
    private void charset(Directive block, Map<String, Directive> merged, Set<String> reported) {
        Directive charset = merged.get("charset");
        Directive source = merged.get("source_charset");
        if (charset == null || source == null || charset.args().isEmpty() || source.args().isEmpty()) {
            return;
        }
        String to = charset.args().get(0).toLowerCase(Locale.ROOT);
        String from = source.args().get(0).toLowerCase(Locale.ROOT);
        if (to.equals("off") || to.equals(from) || to.indexOf('$') >= 0 || from.indexOf('$') >= 0
                || charsetMaps.contains(from + " " + to)) {
            return;
        }
        String message = "no \"charset_map\" between the charsets \"" + source.args().get(0) + "\" and \""
                + charset.args().get(0) + "\"";
        if (reported.add(message)) {
            problems.add(new Problem(Severity.ERROR, Rule.NGINX_MERGE, block.file(), block.line(), message + " (nginx reports it"
                    + " once the configuration is read)"));
        }
    }

    /** ngx_http_ssl_merge_srv_conf: every ssl_certificate a server has (its own, else the http block's) needs a key. */
    private void certificateKey(Directive server, Map<String, Directive> merged) {
        List<Directive> certs = server.children("ssl_certificate");
        List<Directive> keys = server.children("ssl_certificate_key");
        // arrays: a server that sets none inherits the http block's whole list
        Directive http = null;
        if (certs.isEmpty() && merged.containsKey("ssl_certificate")) {
            http = merged.get("ssl_certificate");
        }
        int certCount = certs.isEmpty() ? (http == null ? 0 : 1) : certs.size();
        int keyCount = keys.isEmpty() ? (merged.containsKey("ssl_certificate_key") ? 1 : 0) : keys.size();
        if (certCount == 0 || keyCount >= certCount) {
            return;
        }
        Directive last = certs.isEmpty() ? http : certs.get(certs.size() - 1);
        boolean ssl = server.children("listen").stream().anyMatch(l -> l.args().contains("ssl"));
        problems.add(new Problem(Severity.ERROR, Rule.TLS_CERTIFICATE, last.file(), last.line(), "no \"ssl_certificate_key\" is defined"
                + " for certificate \"" + (last.args().isEmpty() ? "" : last.args().get(0)) + "\""
                + (ssl ? LISTENS_SSL : "")));
    }

    private void report(Directive block, String message, String detail, Set<String> reported) {
        if (reported.add(message)) {
            problems.add(new Problem(Severity.ERROR, Rule.NGINX_MERGE, block.file(), block.line(), message + detail
                    + "; nginx reports it at " + nginxPlace));
        }
    }

    private static long size(Directive d, long fallback) {
        if (d == null || d.args().isEmpty()) {
            return fallback;
        }
        long n = NginxValues.parseSize(d.args().get(0));
        return n < 0 ? fallback : n;
    }

    private static String bytes(long n) {
        if (n > 0 && n % (1024 * 1024) == 0) {
            return n / (1024 * 1024) + "m";
        }
        return n > 0 && n % 1024 == 0 ? n / 1024 + "k" : String.valueOf(n);
    }
}
