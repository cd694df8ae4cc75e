package dev.proxystage.internal.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The document's shape: which stages there are, the default stage, and each stage's effective YAML (the
 * document's shared part deep-merged with the stage's own entry). Values keep their own file and key path, so
 * an error in a stage entry says {@code stages.<name>....}.
 */
final class StageDocuments {

    /** Each stage's effective YAML, by name, in file order. */
    final Map<String, YamlNode> effective = new LinkedHashMap<>();
    Optional<String> defaultStage = Optional.empty();

    private StageDocuments() {
    }

    static StageDocuments of(YamlNode root, ConfigProblems problems) {
        StageDocuments documents = new StageDocuments();
        Values.requireMap(root);
        Schema.checkKeys(root, Schema.TOP_KEYS, problems);

        YamlNode stagesNode = root.map().get("stages");
        Map<String, YamlNode> overrides = new LinkedHashMap<>();
        if (stagesNode == null || stagesNode.isNull()) {
            problems.add(root.location() + ": missing required key 'stages'");
            return documents;
        }
        if (stagesNode.isList()) {
            for (YamlNode item : stagesNode.list()) {
                problems.attempt(() -> {
                    String name = Values.scalar(item);
                    Schema.checkStageName(name, item, item.path());
                    if (overrides.containsKey(name)) {
                        problems.add(item.location() + ": " + item.path() + ": stage '" + name + "' is listed twice");
                    }
                    overrides.put(name, null);
                });
            }
        } else if (stagesNode.isMap()) {
            for (Map.Entry<String, YamlNode> entry : stagesNode.map().entrySet()) {
                YamlNode override = entry.getValue();
                YamlNode where = override != null ? override : stagesNode;
                problems.attempt(() -> {
                    Schema.checkStageName(entry.getKey(), where, stagesNode.child(entry.getKey()));
                    if (override != null && !override.isNull()) {
                        Values.requireMap(override);
                        Schema.checkKeys(override, Schema.STAGE_KEYS, problems);
                    }
                    overrides.put(entry.getKey(), override == null || override.isNull() ? null : override);
                });
            }
        } else {
            problems.add(stagesNode.location() + ": 'stages' must be a list of names or a map of stage overrides");
            return documents;
        }
        if (overrides.isEmpty() && problems.isEmpty()) {
            problems.add(stagesNode.location() + ": 'stages' is empty");
        }

        documents.defaultStage = problems.attempt(() -> Values.optionalString(root, "defaultStage"), Optional.empty());
        documents.defaultStage.ifPresent(d -> {
            if (!overrides.containsKey(d)) {
                problems.add(root.map().get("defaultStage").location() + ": defaultStage '" + d
                        + "' is not one of the stages (" + String.join(", ", overrides.keySet()) + ")");
            }
        });

        Map<String, YamlNode> shared = new LinkedHashMap<>(root.map());
        shared.remove("stages");
        shared.remove("defaultStage");
        YamlNode base = new YamlNode(shared, root.file(), root.line(), root.column(), root.path());
        overrides.forEach((name, override) -> documents.effective.put(name, YamlNode.merge(base, override)));
        return documents;
    }

    List<String> names() {
        return List.copyOf(effective.keySet());
    }
}
