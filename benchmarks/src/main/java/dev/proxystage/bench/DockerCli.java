package dev.proxystage.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Docker facts and cleanup through the docker CLI, so they do not depend on the code under measurement. */
final class DockerCli {

    /** Label put on everything the harness creates by itself (cases a and b). */
    static final String BENCH_LABEL = "dev.proxystage.bench";

    private DockerCli() {
    }

    static String seconds(Instant instant) {
        return String.format(Locale.ROOT, "%d.%09d", instant.getEpochSecond(), instant.getNano());
    }

    /**
     * Container {@code start} events of ProxyStage nginx containers made by this JVM between two instants: one per
     * stage environment that was started.
     */
    static int nginxStarts(Instant since, Instant until, long pid) {
        String out = Shell.check("docker", "events", "--since", seconds(since), "--until", seconds(until),
                "--filter", "type=container", "--filter", "event=start",
                "--filter", "label=dev.proxystage.role=nginx",
                "--filter", "label=dev.proxystage.pid=" + pid,
                "--format", "{{.Actor.Attributes.name}}");
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    /**
     * Removes every container, network and volume this harness made: cases (a) and (b) carry
     * {@code dev.proxystage.bench=<value>}, ProxyStage's carry {@code dev.proxystage.pid=<this JVM>}.
     *
     * @return how many resources were left over (0 after a clean run)
     */
    /** What a sweep removed, and what the engine would not remove (one line each, with its reason). */
    record Swept(int removed, List<String> left) {
    }

    static Swept sweep(long pid, String benchValue) {
        int removed = 0;
        List<String> left = new ArrayList<>();
        for (String filter : List.of("label=dev.proxystage.pid=" + pid, "label=" + BENCH_LABEL + "=" + benchValue)) {
            List<String> containers = lines(Shell.quiet("docker", "ps", "-aq", "--filter", filter));
            for (String id : containers) {
                Shell.quiet("docker", "rm", "-f", "-v", id);
            }
            removed += containers.size();
            List<String> networks = lines(Shell.quiet("docker", "network", "ls", "-q", "--filter", filter));
            for (String id : networks) {
                // A container removed by force can leave its endpoint behind for a moment: retry, as the cases do.
                for (int attempt = 0; attempt < 40 && !Shell.quiet("docker", "network", "rm", id).equals(id) && exists(id); attempt++) {
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (exists(id)) {
                    // Docker 20.10 can keep a removed container's endpoint on a network until its network database is cleared
                    String why;
                    try {
                        Shell.Result r = Shell.run(null, Map.of(), 20, List.of("docker", "network", "rm", id));
                        why = (r.out() + " " + r.err()).strip().replaceAll("\\s+", " ");
                    } catch (RuntimeException e) {
                        why = e.getMessage();
                    }
                    left.add("network " + id + ": " + why);
                } else {
                    removed++;
                }
            }
            List<String> volumes = lines(Shell.quiet("docker", "volume", "ls", "-q", "--filter", filter));
            for (String id : volumes) {
                Shell.quiet("docker", "volume", "rm", "-f", id);
            }
            removed += volumes.size();
        }
        return new Swept(removed, left);
    }

    private static boolean exists(String networkId) {
        return !lines(Shell.quiet("docker", "network", "ls", "-q", "--filter", "id=" + networkId)).isEmpty();
    }

    static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
