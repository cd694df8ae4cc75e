package dev.proxystage.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-stage coverage of conf.d that the build may write beside the report ({@code coverage.json}): which server
 * blocks and locations requests reached. The report renders it when the file is there.
 */
public record Coverage(List<StageCoverage> stages) {

    public record StageCoverage(String stage, double percent, List<Hit> locations, List<Hit> servers) {
    }

    /** A server block or location: where it is written, what it is, and how many requests reached it. */
    public record Hit(String file, int line, String what, long hits) {
    }

    /** The coverage in {@code file}; a file that is not the expected shape fails with one line naming it. */
    public static Coverage read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ProxyStageException(file + ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr()
                    + ": not readable as JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ProxyStageException(file + ": not readable: " + e.getMessage());
        }
        if (root == null || !root.path("stages").isArray()) {
            throw new ProxyStageException(file + ": has no \"stages\" list");
        }
        List<StageCoverage> stages = new ArrayList<>();
        for (JsonNode s : root.path("stages")) {
            List<Hit> locations = new ArrayList<>();
            for (JsonNode l : s.path("locations")) {
                locations.add(new Hit(l.path("file").asText(""), l.path("line").asInt(0),
                        l.path("server").asText("") + " " + l.path("location").asText(""), l.path("hits").asLong(0)));
            }
            List<Hit> servers = new ArrayList<>();
            for (JsonNode v : s.path("servers")) {
                List<String> names = new ArrayList<>();
                v.path("names").forEach(n -> names.add(n.asText()));
                servers.add(new Hit(v.path("file").asText(""), v.path("line").asInt(0), "server " + String.join(" ", names),
                        v.path("hits").asLong(0)));
            }
            stages.add(new StageCoverage(s.path("stage").asText("?"), s.path("percent").asDouble(0),
                    List.copyOf(locations), List.copyOf(servers)));
        }
        return new Coverage(List.copyOf(stages));
    }

    /** The coverage beside the report in {@code dir}, when there is one. */
    public static java.util.Optional<Coverage> besideReport(Path dir) {
        Path file = dir.resolve("coverage.json");
        return Files.isRegularFile(file) ? java.util.Optional.of(read(file)) : java.util.Optional.empty();
    }
}
