package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a stage's nginx can run and be waited for as its container's process: in the foreground ({@code daemon on;}
 * would let the container exit), and serving something. nginx accepts a configuration without any server (an empty
 * conf.d, an http block with none), so that is no error, but the stage has nothing to test and says so once, at
 * check time and at start.
 */
public final class Readiness {

    private Readiness() {
    }

    /** An error for {@code daemon on;}, and one warning when nothing in the configuration listens. */
    public static List<Problem> check(NginxConfig config) {
        List<Problem> problems = new ArrayList<>();
        config.daemon().filter(d -> d.args().equals(List.of("on"))).ifPresent(d -> problems.add(new Problem(
                Severity.ERROR, Rule.NGINX_READINESS, d.file(), d.line(), "\"daemon on\" makes nginx fork into the background, and its"
                + " container would stop as soon as it did; remove it (the stage runs nginx in the foreground)")));
        listening(config).ifPresent(problems::add);
        return problems;
    }

    /**
     * The ports a stage publishes and its start waits on: those some {@code listen} reaches from outside the
     * container (a wildcard, {@code 0.0.0.0}, {@code [::]} or another address that is not loopback). A port nginx
     * listens on only at {@code 127.0.0.1} serves the container itself, and could never answer the wait.
     */
    public static Set<Integer> outsidePorts(NginxConfig config) {
        Set<Integer> ports = new TreeSet<>();
        for (Listen l : config.listens()) {
            if (!isLoopback(l.address())) {
                ports.add(l.port());
            }
        }
        return ports;
    }

    static boolean isLoopback(String address) {
        return address.equals("localhost") || address.equals("[::1]") || Listens.isLoopbackV4(address);
    }

    private static Optional<Problem> listening(NginxConfig config) {
        if (!config.listens().isEmpty() && outsidePorts(config).isEmpty()) {
            Listen first = config.listens().get(0);
            List<String> where = new ArrayList<>();
            for (Listen l : config.listens()) {
                if (where.size() < 3) {
                    where.add(Origin.bracketed(l.address()) + ":" + l.port());
                }
            }
            return Optional.of(new Problem(Severity.WARNING, Rule.NGINX_READINESS, first.file(), first.line(), "no server listens"
                    + " outside the nginx container: every listen is on its loopback (" + String.join(", ", where)
                    + (config.listens().size() > where.size() ? ", …" : "") + "), which the stage's client cannot"
                    + " reach, so the start waits for no port; listen on a port (\"listen 80;\") for the stage to"
                    + " test"));
        }
        if (!config.listenPorts().isEmpty()) {
            return Optional.empty();
        }
        ParseRequest request = config.request();
        Path where = request.mainConf().orElse(request.confD());
        String what;
        if (!config.servers().isEmpty()) {
            what = "no server listens on a TCP port (only on unix sockets)";
        } else if (request.mainConf().isPresent()) {
            what = "neither " + request.mainConf().get().getFileName() + " nor anything it includes has a server block";
        } else if (config.files().isEmpty()) {
            what = "conf.d has no *.conf files, so nginx runs with no server block";
        } else {
            what = "conf.d has no server block";
        }
        return Optional.of(new Problem(Severity.WARNING, Rule.NGINX_READINESS, where, 0, what + "; nginx starts and serves nothing,"
                + " so the stage has nothing to test"));
    }
}
