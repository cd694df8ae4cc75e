package dev.proxystage.internal.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The rules that keep each stage's data its own and production's data out of every test stage. */
final class DataIsolation {

    /** The stage whose data is production's. */
    static final String PROD = "prod";

    private DataIsolation() {
    }

    /** Prod's data is mounted read-only unless its entry says otherwise. */
    static boolean readOnlyByDefault(String stage) {
        return stage.equals(PROD);
    }

    /**
     * Two stages never share a data directory, and no test stage may mount prod's.
     *
     * @param locations where each {@code backend@stage}'s data is written, for the message
     */
    static void check(Map<String, StageDefinition> stages, Map<String, String> locations, ConfigProblems problems) {
        Map<Path, String> owners = new LinkedHashMap<>();
        for (StageDefinition stage : stages.values()) {
            for (BackendSpec backend : stage.backends()) {
                Optional<Path> dir = backend.data().flatMap(DataSpec::hostDir);
                if (dir.isEmpty()) {
                    continue;
                }
                String owner = backend.name() + "@" + stage.name();
                for (Map.Entry<Path, String> other : owners.entrySet()) {
                    boolean sameStage = other.getValue().endsWith("@" + stage.name());
                    if (!sameStage && (dir.get().startsWith(other.getKey()) || other.getKey().startsWith(dir.get()))) {
                        boolean prod = other.getValue().endsWith("@" + PROD) || stage.name().equals(PROD);
                        problems.add(locations.get(owner) + ": " + owner + " and " + other.getValue()
                                + " would share the data directory " + dir.get() + "; "
                                + (prod ? "test stages never touch production data" : "each stage keeps its own data"));
                    }
                }
                owners.put(dir.get(), owner);
            }
        }
    }
}
