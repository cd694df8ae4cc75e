package dev.proxystage.internal.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so that every configuration error can name
 * {@code file:line:column}. The value is a {@code Map<String, YamlNode>} (insertion-ordered),
 * a {@code List<YamlNode>}, a {@code String} scalar, or {@code null} for an explicit null.
 */
record YamlNode(Object value, Path file, int line, int column) {

    boolean isMap() {
        return value instanceof Map;
    }

    boolean isList() {
        return value instanceof List;
    }

    boolean isNull() {
        return value == null;
    }

    @SuppressWarnings("unchecked")
    Map<String, YamlNode> map() {
        return (Map<String, YamlNode>) value;
    }

    @SuppressWarnings("unchecked")
    List<YamlNode> list() {
        return (List<YamlNode>) value;
    }

    String location() {
        return file + ":" + line + ":" + column;
    }

    /**
     * Deep merge: maps merge key by key, anything else in {@code overlay} replaces what {@code base} had.
     * The result keeps each value's own origin, so errors point at the file that wrote the winning value.
     */
    static YamlNode merge(YamlNode base, YamlNode overlay) {
        if (base == null) {
            return overlay;
        }
        if (overlay == null) {
            return base;
        }
        if (!base.isMap() || !overlay.isMap()) {
            return overlay;
        }
        Map<String, YamlNode> merged = new LinkedHashMap<>(base.map());
        overlay.map().forEach((key, value) -> merged.merge(key, value, YamlNode::merge));
        return new YamlNode(merged, overlay.file(), overlay.line(), overlay.column());
    }
}
