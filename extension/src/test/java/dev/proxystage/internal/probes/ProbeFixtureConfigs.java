package dev.proxystage.internal.probes;

import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ParseRequest;
import dev.proxystage.internal.nginx.ServerBlock;
import java.nio.file.Path;
import java.util.Map;

/** The probe fixtures' conf.d trees, parsed as a stage parses them (without Docker). */
final class ProbeFixtureConfigs {

    static final Path ROOT = Path.of("src/test/resources/probes");

    private ProbeFixtureConfigs() {
    }

    static NginxConfig parse(String fixture) {
        return NginxConfig.parse(ParseRequest.of(ROOT.resolve(fixture).resolve("conf.d"))
                .withFiles(Map.of("/srv/probe", ROOT.resolve("files"))));
    }

    static ConfigView view(String fixture) {
        return new ConfigView(parse(fixture), Map.of());
    }

    /** The block of {@code config} that starts at {@code file:line}. */
    static ServerBlock block(NginxConfig config, String file, int line) {
        return config.servers().stream()
                .filter(s -> s.file().getFileName().toString().equals(file) && s.line() == line)
                .findFirst().orElseThrow(() -> new AssertionError("no server block at " + file + ":" + line));
    }
}
