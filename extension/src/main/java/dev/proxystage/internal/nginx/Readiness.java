package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Severity;

import java.nio.file.Path;
import java.util.List;

/**
 * What a stage's nginx serves, as far as the stage can tell it is ready: nginx accepts a configuration without any
 * server (an empty conf.d, an http block with none), so that is no error, but the stage has nothing to test and says
 * so once, at check time and at start.
 */
public final class Readiness {

    private Readiness() {
    }

    /** One warning when nothing in the configuration listens; none otherwise. */
    public static List<Problem> check(NginxConfig config) {
        if (!config.listenPorts().isEmpty()) {
            return List.of();
        }
        ParseRequest request = config.request();
        Path where = request.mainConf().orElse(request.confD());
        String what;
        if (request.mainConf().isPresent()) {
            what = "neither " + request.mainConf().get().getFileName() + " nor anything it includes has a server block";
        } else if (config.files().isEmpty()) {
            what = "conf.d has no *.conf files, so nginx runs with no server block";
        } else {
            what = "conf.d has no server block";
        }
        return List.of(new Problem(Severity.WARNING, where, 0, what + "; nginx starts and serves nothing, so the stage"
                + " has nothing to test"));
    }
}
