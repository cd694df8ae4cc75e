package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which server block answers what on each address:port, by nginx's rules: the port's default server (the one
 * {@code default_server} marks, else the first that listens there), a second {@code default_server} (nginx refuses to
 * start) and a server name two blocks claim on one address:port (nginx warns and routes it to the first).
 */
public final class DefaultServers {

    private DefaultServers() {
    }

    /**
     * The default server for {@code port} among {@code servers}: the first with {@code default_server} on that port,
     * else the first that listens on it (nginx's rule, ignoring listen addresses).
     */
    public static Optional<ServerBlock> of(List<ServerBlock> servers, int port) {
        Optional<ServerBlock> marked = servers.stream()
                .filter(s -> s.listens().stream().anyMatch(l -> l.port() == port && l.defaultServer())).findFirst();
        return marked.or(() -> servers.stream().filter(s -> s.listens().stream().anyMatch(l -> l.port() == port))
                .findFirst());
    }

    /** {@code 0.0.0.0:80}, {@code [::]:443}: a listen's address:port as nginx names it in its messages. */
    static String addressPort(Listen listen) {
        String address = listen.address().toLowerCase(Locale.ROOT);
        if (address.equals("*")) {
            address = "0.0.0.0";
        } else if (address.equals("localhost")) {
            address = "127.0.0.1";
        }
        return address + ":" + listen.port();
    }

    /** A second {@code default_server} on one address:port: nginx's "a duplicate default server". */
    static List<Problem> duplicateDefaults(List<ServerBlock> servers) {
        Map<String, Listen> first = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (ServerBlock server : servers) {
            for (Listen listen : server.listens()) {
                if (!listen.defaultServer()) {
                    continue;
                }
                String key = addressPort(listen);
                Listen earlier = first.putIfAbsent(key, listen);
                if (earlier != null) {
                    problems.add(new Problem(Severity.ERROR, Rule.NGINX_SERVERS, listen.file(), listen.line(), "a duplicate default "
                            + "server for " + key + " (the first is at " + where(earlier.file(), earlier.line())
                            + "); nginx refuses to start"));
                }
            }
        }
        return problems;
    }

    /** A name claimed by two server blocks on one address:port: nginx warns and ignores the second claim. */
    static List<Problem> conflictingNames(List<ServerBlock> servers) {
        Map<String, Directive> claimed = new LinkedHashMap<>();
        Map<String, Problem> problems = new LinkedHashMap<>();
        Map<String, List<String>> addresses = new LinkedHashMap<>();
        for (ServerBlock server : servers) {
            List<String> keys = new ArrayList<>();
            for (Listen listen : server.listens()) {
                String key = addressPort(listen);
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            }
            for (Directive names : server.directive().children("server_name")) {
                for (String name : names.args()) {
                    if (name.isEmpty() || name.startsWith("~")) {
                        continue; // regex names are not in the hash nginx checks
                    }
                    String lower = name.toLowerCase(Locale.ROOT);
                    for (String key : keys) {
                        Directive earlier = claimed.putIfAbsent(lower + " " + key, names);
                        if (earlier != null && earlier != names) {
                            // One finding per claim, listing every address:port it conflicts on.
                            String id = lower + " " + names.where() + " " + earlier.where();
                            List<String> on = addresses.computeIfAbsent(id, k -> new ArrayList<>());
                            on.add(key);
                            problems.put(id, new Problem(Severity.WARNING, Rule.NGINX_SERVERS, names.file(), names.line(),
                                    "conflicting server name \"" + name + "\" on " + String.join(", ", on)
                                            + ", ignored: the server at " + where(earlier.file(), earlier.line())
                                            + " claims it first, so nginx never routes it here"));
                        }
                    }
                }
            }
        }
        return new ArrayList<>(problems.values());
    }

    private static String where(Path file, int line) {
        return line > 0 ? file + ":" + line : file.toString();
    }
}
