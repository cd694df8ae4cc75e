package dev.proxystage.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Case (a): benchmarks/cli/stage.sh, the docker CLI by hand. */
final class CliStage {

    private final Path root;
    private final Path script;
    private final Map<String, String> env;

    CliStage(Path root, String benchValue) {
        this.root = root;
        this.script = root.resolve("benchmarks/cli/stage.sh");
        this.env = Map.of("PROXYSTAGE_ROOT", root.toString(), "BENCH_LABEL", benchValue);
    }

    RunningStage up(String id) {
        String out;
        try {
            out = Shell.check(root, env, 120, List.of("bash", script.toString(), "up", id));
        } catch (RuntimeException e) {
            down(id);
            throw e;
        }
        // "80=32901 443=32900": nginx's container ports and where they are published on 127.0.0.1
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        for (String pair : out.strip().split("\\s+")) {
            String[] kv = pair.split("=");
            ports.put(Integer.parseInt(kv[0]), Integer.parseInt(kv[1]));
        }
        int port = ports.getOrDefault(80, ports.values().iterator().next());
        return RunningStage.of(port, ports, () -> down(id));
    }

    private void down(String id) {
        Shell.check(root, env, 120, List.of("bash", script.toString(), "down", id));
    }
}
