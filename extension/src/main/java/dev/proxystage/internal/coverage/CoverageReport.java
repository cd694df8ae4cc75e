package dev.proxystage.internal.coverage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The conf.d coverage of a run's stages: {@code coverage.json} (paths relative to the project root), the gate
 * ({@code proxystage.coverage.minimum}) and the lines the command line prints.
 */
public final class CoverageReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path projectRoot;
    private final Map<String, ConfCoverage.Snapshot> stages = new LinkedHashMap<>();

    /** @param projectRoot what the files in the report are relative to (the directory of pipeline.yml) */
    public CoverageReport(Path projectRoot) {
        this.projectRoot = projectRoot.toAbsolutePath().normalize();
    }

    /** Adds (or replaces) {@code stage}'s coverage. */
    public synchronized CoverageReport add(String stage, ConfCoverage.Snapshot snapshot) {
        stages.put(stage, snapshot);
        return this;
    }

    /** {@code file} relative to the project root when it is inside it, else as it is. */
    String shown(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return (absolute.startsWith(projectRoot) ? projectRoot.relativize(absolute) : absolute).toString()
                .replace('\\', '/');
    }

    /** The report as JSON: {@code {"stages":[{"stage","percent","locations":[...],"servers":[...]}]}}. */
    public synchronized String json() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("stages");
        stages.forEach((name, s) -> {
            ObjectNode stage = list.addObject();
            stage.put("stage", name);
            stage.put("percent", s.percent());
            stage.put("requests", s.requests());
            stage.put("undecided", s.undecided());
            ArrayNode locations = stage.putArray("locations");
            for (ConfCoverage.LocationHits l : s.locations()) {
                locations.addObject().put("file", shown(l.file())).put("line", l.line()).put("server", l.server())
                        .put("location", l.location()).put("hits", l.hits());
            }
            ArrayNode servers = stage.putArray("servers");
            for (ConfCoverage.ServerHits h : s.servers()) {
                ObjectNode server = servers.addObject().put("file", shown(h.file())).put("line", h.line());
                ArrayNode names = server.putArray("names");
                h.names().forEach(names::add);
                server.put("hits", h.hits());
            }
        });
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the report to {@code file}, creating its directory. */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.writeString(file, json());
        } catch (IOException e) {
            throw new ProxyStageException("cannot write the conf.d coverage to " + file + ": " + e.getMessage());
        }
    }

    /** One line per stage, then its never reached locations: {@code conf.d/app.conf:12 location /api/ (server app)}. */
    public synchronized List<String> lines() {
        List<String> lines = new ArrayList<>();
        stages.forEach((name, s) -> {
            lines.add(summary(name, s));
            s.unreached().forEach(l -> lines.add("  never reached: " + describe(l)));
        });
        return lines;
    }

    static String summary(String stage, ConfCoverage.Snapshot s) {
        long reached = s.locations().size() - s.unreached().size();
        long servers = s.servers().stream().filter(h -> h.hits() > 0).count();
        return String.format(Locale.ROOT, "conf.d coverage of stage %s: %s%% of locations (%d of %d), %d of %d server"
                        + " blocks, %d requests%s", stage, percent(s.percent()), reached, s.locations().size(), servers,
                s.servers().size(), s.requests(), s.undecided() == 0 ? ""
                        : " (" + s.undecided() + " not decided by the configuration alone)");
    }

    String describe(ConfCoverage.LocationHits l) {
        return shown(l.file()) + ":" + l.line() + " location " + l.location()
                + (l.server().isEmpty() ? "" : " (server " + l.server() + ")");
    }

    /**
     * The gate: when {@code stage}'s coverage is below {@code minimum} percent, the failure, listing the locations
     * never reached by file:line.
     */
    public synchronized Optional<String> gate(String stage, OptionalDouble minimum) {
        ConfCoverage.Snapshot s = stages.get(stage);
        if (s == null || minimum.isEmpty() || s.percent() >= minimum.getAsDouble()) {
            return Optional.empty();
        }
        List<ConfCoverage.LocationHits> unreached = s.unreached();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "conf.d coverage of stage %s is %s%%, below %s=%s%%: %d of %d locations were never reached:", stage,
                percent(s.percent()), dev.proxystage.Settings.COVERAGE_MINIMUM, percent(minimum.getAsDouble()), unreached.size(),
                s.locations().size()));
        unreached.forEach(l -> text.append("\n  ").append(describe(l)));
        return Optional.of(text.toString());
    }

    private static String percent(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
