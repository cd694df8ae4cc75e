package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.ImageRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns YAML scalars into typed values. Every error is {@code file:line:column: <key path> ...}, the key path being
 * the one written in the file that holds the value.
 */
final class Values {

    /** {@code ${env:NAME}}: a value taken from the environment, and treated as a secret. */
    private static final Pattern SECRET = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)\\}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?");
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    private Values() {
    }

    static ProxyStageException error(YamlNode node, String message) {
        return new ProxyStageException(node.location() + ": " + node.path() + " " + message);
    }

    /** A path pipeline.yml names that is not what it must be: {@code file:line:column: key: /abs/path problem}. */
    static ProxyStageException pathError(YamlNode node, Path path, String problem) {
        return new ProxyStageException(node.location() + ": " + node.path() + ": " + path + " " + problem);
    }

    static void requireMap(YamlNode node) {
        if (!node.isMap()) {
            throw new ProxyStageException(node.location() + ": " + (node.path().isEmpty() ? "the document" : node.path())
                    + " must be a mapping (key: value)");
        }
    }

    static String scalar(YamlNode node) {
        if (node.isMap() || node.isList()) {
            throw error(node, "must be a single value, not a " + (node.isMap() ? "mapping" : "list"));
        }
        return node.isNull() ? "" : (String) node.value();
    }

    static Optional<String> optionalString(YamlNode map, String key) {
        YamlNode value = map.map().get(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        String text = scalar(value);
        return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    static String requiredString(YamlNode map, String key) {
        return optionalString(map, key).orElseThrow(() -> new ProxyStageException(map.location() + ": "
                + (map.path().isEmpty() ? "" : map.path() + ": ") + "missing required key '" + key + "'"));
    }

    /** The required {@code image} of {@code map}: an image reference the engine accepts ({@link ImageReference}). */
    static String image(YamlNode map) {
        String image = requiredString(map, "image");
        if (!ImageRef.valid(image)) {
            throw error(map.map().get("image"), ImageRef.problem(image));
        }
        return image;
    }

    static boolean bool(YamlNode node) {
        String text = scalar(node).strip();
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(node, "must be true or false, got '" + text + "'");
        };
    }

    static int port(YamlNode node) {
        String text = scalar(node).strip();
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw error(node, "must be a port number (1-65535), got '" + text + "'");
    }

    /** A timeout: positive and at most {@link #MAX_TIMEOUT}; {@code 0s} would fail every start at once. */
    static Duration timeout(YamlNode node) {
        String text = scalar(node).strip();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw error(node, "must be a duration such as 60s, 500ms or 2m, got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.isZero() || duration.compareTo(MAX_TIMEOUT) > 0) {
            throw error(node, "must be more than 0 and at most 1h, got '" + text + "'");
        }
        return duration;
    }

    /**
     * The environment variable a value names as {@code ${env:NAME}}, if it is such a reference. Anything that starts
     * like one but is not exactly one ({@code ${env:}}, a missing brace) is an error, never a literal value.
     */
    static Optional<String> secretReference(YamlNode node, String text) {
        String value = text.strip();
        Matcher secret = SECRET.matcher(value);
        if (secret.matches()) {
            return Optional.of(secret.group(1));
        }
        if (value.contains("${env")) {
            throw error(node, "is not a valid secret reference: write exactly ${env:NAME}, NAME being letters, digits"
                    + " and '_' (not starting with a digit)");
        }
        return Optional.empty();
    }
}
