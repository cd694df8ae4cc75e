package dev.proxystage.internal.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so that every configuration error can name
 * {@code file:line:column} and the key path. The value is a {@code Map<String, YamlNode>} (insertion-ordered),
 * a {@code List<YamlNode>}, a {@code String} scalar, or {@code null} for an explicit null.
 *
 * @param path the key path of this value in the file that wrote it, e.g. {@code stages.prep.backends.vw.port}
 *             ({@code ""} for the document)
 */
record YamlNode(Object value, Path file, int line, int column, String path) {

    YamlNode(Object value, Path file, int line, int column) {
        this(value, file, line, column, "");
    }

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

    /** The key path of {@code key} under this mapping, as it is written in this node's file. */
    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Deep merge: maps merge key by key, anything else in {@code overlay} replaces what {@code base} had.
     * The result keeps each value's own origin, so errors point at the file that wrote the winning value; a merged
     * mapping keeps the base's place, where a key missing from both files belongs.
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
        return new YamlNode(merged, base.file(), base.line(), base.column(), base.path());
    }
}
