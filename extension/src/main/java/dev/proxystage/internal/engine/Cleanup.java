package dev.proxystage.internal.engine;

import java.util.List;

/**
 * What a sweep of the engine removed, for {@code down}'s lines.
 *
 * @param runs     the runs swept, each with why it could be ({@code 1a2b3c4d (pid 4242 gone)})
 * @param problems what could not be removed, one line each
 */
public record Cleanup(List<String> runs, List<String> containers, List<String> networks, List<String> volumes,
                      List<String> problems) {

    public Cleanup {
        runs = List.copyOf(runs);
        containers = List.copyOf(containers);
        networks = List.copyOf(networks);
        volumes = List.copyOf(volumes);
        problems = List.copyOf(problems);
    }

    public static Cleanup empty() {
        return new Cleanup(List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
