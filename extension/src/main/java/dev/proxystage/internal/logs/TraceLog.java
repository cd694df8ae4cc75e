package dev.proxystage.internal.logs;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * ProxyStage's own access log in nginx's http context: a file of ProxyStage's, included from the main nginx.conf
 * (the user's conf.d is not touched). Servers that declare their own access_log do not inherit it.
 */
public final class TraceLog {

    public static final String PREFIX = "proxystage-trace ";
    public static final String CONF_PATH = "/etc/proxystage/nginx/trace.conf";

    private TraceLog() {
    }

    /**
     * Whether {@code line} of nginx's stdout is one of these records. They are ProxyStage's means, not nginx's
     * words: nginx's logs, followers and failure reports leave them out, as on the direct path, where the records
     * never reach nginx's stdout.
     */
    public static boolean isRecord(String line) {
        return line.startsWith(PREFIX);
    }

    /** {@code text}, lines of nginx's output, without the records. */
    public static String withoutRecords(String text) {
        if (!text.contains(PREFIX)) {
            return text;
        }
        StringBuilder kept = new StringBuilder(text.length());
        for (String line : text.split("(?<=\n)")) {
            if (!isRecord(line)) {
                kept.append(line);
            }
        }
        return kept.toString();
    }

    /**
     * The trace config: to {@code receiver} as syslog datagrams when given (straight to the JVM, nothing on
     * nginx's stdout), else to nginx's stdout for the log stream.
     */
    public static String conf(Optional<InetSocketAddress> receiver) {
        String target = receiver
                .map(r -> "syslog:server=" + r.getAddress().getHostAddress() + ":" + r.getPort() + ",tag=proxystage,nohostname")
                .orElse("/dev/stdout");
        return "# Written by ProxyStage: one JSON record per request, for routing traces.\n"
                + "log_format proxystage_trace escape=json '" + PREFIX
                + "{\"id\":\"$http_x_proxystage_request\",\"server\":\"$server_name\",\"status\":\"$status\","
                + "\"upstream\":\"$upstream_addr\",\"upstream_status\":\"$upstream_status\","
                + "\"upstream_header_time\":\"$upstream_header_time\",\"upstream_connect_time\":\"$upstream_connect_time\","
                + "\"upstream_response_time\":\"$upstream_response_time\",\"port\":\"$server_port\","
                + "\"request_time\":\"$request_time\"}';\n"
                // Only the stage client's tagged requests: other traffic through the stage pays nothing.
                + "access_log " + target + " proxystage_trace if=$http_x_proxystage_request;\n";
    }
}
