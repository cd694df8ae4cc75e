package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Which keys pipeline.yml may have where, and the rules for names that become Docker and file-system names. */
final class Schema {

    static final Set<String> TOP_KEYS = Set.of("defaultStage", "stages", "nginx", "backends", "echo", "tls", "probes");
    static final Set<String> STAGE_KEYS = Set.of("nginx", "backends", "echo", "tls", "probes");
    static final Set<String> PROBES_KEYS = Set.of("suppress");
    static final Set<String> TLS_KEYS = Set.of("generate", "testNames", "trust");
    static final Set<String> NGINX_KEYS = Set.of("image", "confDir", "files", "mainConfig", "modules");
    /** Every key a backend entry may have. */
    static final Set<String> BACKEND_KEYS = Set.of("image", "alias", "aliases", "port", "ports", "health", "data", "env",
            "envFile", "command", "entrypoint", "faults");
    static final Set<String> HEALTH_KEYS = Set.of("path", "timeout");
    static final Set<String> ECHO_KEYS = Set.of("image");
    static final Set<String> DATA_KEYS = Set.of("mount", "persist", "hostPath", "seedFrom", "readOnly");

    /** A DNS label: container names resolve on the stage network, so every composed name must fit one. */
    static final int MAX_NAME = 63;
    /** The run id every Docker name ends with ({@code -<8 hex digits>}). */
    private static final int RUN_ID_SUFFIX = 9;
    private static final String NETWORK_PREFIX = "nginx-rp-network-";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    /**
     * A host name: labels of letters, digits and '-', joined by dots. Docker network aliases may have dots
     * ({@code xmpp.meet.example}, common in compose files); the whole alias is also the container's host name, which
     * Linux caps at 64 bytes, so it stays within {@link #MAX_NAME}.
     */
    // Docker's network aliases and host names take '_' too (compose service names such as immich_server).
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*");

    private Schema() {
    }

    /** Every unknown key of {@code node} is a problem of its own. */
    static void checkKeys(YamlNode node, Set<String> known, ConfigProblems problems) {
        for (Map.Entry<String, YamlNode> entry : node.map().entrySet()) {
            if (!known.contains(entry.getKey())) {
                String where = entry.getValue() != null ? entry.getValue().location() : node.location();
                problems.add(where + ": unknown key '" + node.child(entry.getKey()) + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** A stage or backend name: it becomes part of container, volume, network and directory names. */
    static void checkName(String name, YamlNode where, String path) {
        if (!NAME.matcher(name).matches()) {
            throw new ProxyStageException(where.location() + ": " + path + ": '" + abbreviate(name)
                    + "' is not a valid name (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)");
        }
        if (name.length() > MAX_NAME) {
            throw new ProxyStageException(where.location() + ": " + path + ": '" + abbreviate(name) + "' is "
                    + name.length() + " characters long; names are at most " + MAX_NAME + " (a DNS label)");
        }
    }

    /** The stage network {@code nginx-rp-network-<stage>-<run id>} must fit a DNS label too. */
    static void checkStageName(String stage, YamlNode where, String path) {
        checkName(stage, where, path);
        int length = NETWORK_PREFIX.length() + stage.length() + RUN_ID_SUFFIX;
        if (length > MAX_NAME) {
            throw new ProxyStageException(where.location() + ": " + path + ": stage name '" + stage + "' makes its network "
                    + "name " + NETWORK_PREFIX + stage + "-<run id> " + length + " characters long; Docker names ProxyStage "
                    + "builds must fit " + MAX_NAME + " (a DNS label), so a stage name has at most "
                    + (MAX_NAME - NETWORK_PREFIX.length() - RUN_ID_SUFFIX) + " characters");
        }
    }

    /** The backend's container and volume {@code <backend>-<stage>-<run id>} must fit a DNS label. */
    static void checkContainerName(String backend, String stage, YamlNode where, String path) {
        int length = backend.length() + 1 + stage.length() + RUN_ID_SUFFIX;
        if (length > MAX_NAME) {
            throw new ProxyStageException(where.location() + ": " + path + ": backend '" + backend + "' in stage '" + stage
                    + "' makes the container name " + backend + "-" + stage + "-<run id> " + length + " characters long;"
                    + " it must fit " + MAX_NAME + " (a DNS label): shorten the backend or the stage name");
        }
    }

    static void checkAlias(String alias, YamlNode where, String path) {
        if (!HOST_NAME.matcher(alias).matches() || alias.length() > MAX_NAME) {
            throw new ProxyStageException(where.location() + ": " + path + " '" + abbreviate(alias) + "' is not a valid host "
                    + "name (labels of lower-case letters, digits, '-' and '_', joined by '.', at most " + MAX_NAME
                    + " characters)");
        }
    }

    private static String abbreviate(String text) {
        String printable = text.codePoints().mapToObj(c -> Character.isISOControl(c) ? "?" : Character.toString(c))
                .collect(Collectors.joining());
        return printable.length() > 80 ? printable.substring(0, 77) + "..." : printable;
    }
}
