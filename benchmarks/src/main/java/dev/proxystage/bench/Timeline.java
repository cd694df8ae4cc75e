package dev.proxystage.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where the time of one start goes: the Docker events of one run of a case (network, volume, container create,
 * file copies, start, ...), in milliseconds after the case began, ending with the first 200 and the teardown.
 */
final class Timeline {

    private Timeline() {
    }

    /** Runs {@code up} for {@code id} once and describes its Docker events; throws when the case fails. */
    static String of(String given, Function<String, RunningStage> up) {
        Instant since = Instant.now();
        long t0 = System.nanoTime();
        RunningStage stage = up.apply(given);
        String id = stage.runId(given);
        long ready = System.nanoTime();
        stage.down();
        long gone = System.nanoTime();
        Instant until = Instant.now();
        String out = Shell.check("docker", "events", "--since", DockerCli.seconds(since), "--until", DockerCli.seconds(until),
                "--format", "{{.TimeNano}}|{{.Type}}|{{.Action}}|{{.Actor.ID}}|{{.Actor.Attributes.name}}");
        long sinceNanos = since.getEpochSecond() * 1_000_000_000L + since.getNano();
        List<String> steps = new ArrayList<>();
        String last = null;
        int repeat = 0;
        long readyMs = (ready - t0) / 1_000_000;
        boolean marked = false;
        for (String line : out.lines().toList()) {
            String[] f = line.split("\\|", -1);
            if (f.length < 5 || !(f[3].contains(id) || f[4].contains(id))) {
                continue;
            }
            long ms = (Long.parseLong(f[0]) - sinceNanos) / 1_000_000;
            if (!marked && ms > readyMs) {
                steps.add("**first 200 " + readyMs + "**");
                marked = true;
                last = null;
            }
            String what = role(f[1], f[3], f[4], id) + " " + f[2].replaceAll(":.*", "");
            if (what.equals(last)) {
                repeat++;
                steps.set(steps.size() - 1, steps.get(steps.size() - 1).replaceAll(" ×\\d+$", "") + " ×" + (repeat + 1));
                continue;
            }
            last = what;
            repeat = 0;
            steps.add(what + " " + ms);
        }
        if (!marked) {
            steps.add("**first 200 " + readyMs + "**");
        }
        steps.add("**down " + (gone - t0) / 1_000_000 + "**");
        return String.join(" · ", steps);
    }

    private static String role(String type, String actorId, String name, String id) {
        String n = name.isEmpty() ? actorId : name;
        if (type.equals("network")) {
            return "network";
        }
        if (type.equals("volume")) {
            return "volume";
        }
        if (n.startsWith("nginx")) {
            return "nginx";
        }
        if (n.startsWith("vaultwarden")) {
            return "backend";
        }
        return n.replace(id, "");
    }
}
