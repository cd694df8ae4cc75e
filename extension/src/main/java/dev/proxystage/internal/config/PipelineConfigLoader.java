package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@code pipeline.yml}, deep-merges the profile overlay ({@code pipeline-<profile>.yml} beside it) and each
 * stage's overrides, and validates the result. Every error is one line that names {@code file:line:column} and the
 * YAML path.
 */
public final class PipelineConfigLoader {

    public static final String DEFAULT_ECHO_IMAGE = "eclipse-temurin:17-jre";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
    private static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    /** {@code ${env:NAME}}: a value taken from the environment, and treated as a secret. */
    private static final Pattern SECRET = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)\\}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

    private static final Set<String> TOP_KEYS = Set.of("defaultStage", "stages", "nginx", "backends", "echo", "tls", "probes");
    private static final Set<String> STAGE_KEYS = Set.of("nginx", "backends", "echo", "tls", "probes");
    private static final Set<String> PROBES_KEYS = Set.of("suppress");
    private static final Set<String> TLS_KEYS = Set.of("generate", "testNames", "trust");
    private static final Set<String> NGINX_KEYS = Set.of("image", "confDir", "files", "mainConfig");
    private static final Set<String> BACKEND_KEYS = Set.of("image", "alias", "port", "ports", "health", "data", "env", "command");
    private static final Set<String> HEALTH_KEYS = Set.of("path", "timeout");
    private static final Set<String> ECHO_KEYS = Set.of("image");
    private static final Set<String> DATA_KEYS = Set.of("mount", "persist", "hostPath", "seedFrom", "readOnly");

    /** The stage whose data is production's. */
    public static final String PROD = "prod";

    /** Loads {@code file}, merged with the overlay of {@code profile} when one is given. */
    /** What loading takes from the settings: data persistence for every backend, and where persisted data lives. */
    public record Options(boolean persistAll, Path dataRoot) {

        /** No persistence unless pipeline.yml asks, data under {@code ~/.proxystage/data}. */
        public static Options defaults() {
            return new Options(false, Path.of(System.getProperty("user.home"), ".proxystage", "data"));
        }
    }

    private final Options options;

    private PipelineConfigLoader(Options options) {
        this.options = options;
    }

    /** Loads with {@link Options#defaults()}. */
    public static PipelineConfig load(Path file, Optional<String> profile) {
        return load(file, profile, Options.defaults());
    }

    public static PipelineConfig load(Path file, Optional<String> profile, Options options) {
        return new PipelineConfigLoader(options).loadFile(file, profile);
    }

    private PipelineConfig loadFile(Path file, Optional<String> profile) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new ProxyStageException("pipeline configuration not found: " + absolute
                    + " (set -Dproxystage.config=<path> to point at it)");
        }
        YamlNode root = YamlLoader.load(file);
        Optional<String> selected = profile.map(String::strip).filter(p -> !p.isEmpty());
        if (selected.isPresent()) {
            Path overlay = overlayPath(file, selected.get());
            if (!Files.isRegularFile(overlay)) {
                throw new ProxyStageException("profile '" + selected.get() + "' selected, but its overlay "
                        + overlay.toAbsolutePath().normalize() + " does not exist");
            }
            YamlNode overlayRoot = YamlLoader.load(overlay);
            requireMap(root, "(document)");
            requireMap(overlayRoot, "(document)");
            root = YamlNode.merge(root, overlayRoot);
        }
        return read(file, selected, root);
    }

    /** {@code pipeline.yml} + {@code offline} gives {@code pipeline-offline.yml} in the same directory. */
    public static Path overlayPath(Path file, String profile) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return file.resolveSibling(stem + "-" + profile + ext);
    }

    private PipelineConfig read(Path file, Optional<String> profile, YamlNode root) {
        requireMap(root, "(document)");
        checkKeys(root, "", TOP_KEYS);
        Path baseDir = file.toAbsolutePath().normalize().getParent();

        YamlNode stagesNode = root.map().get("stages");
        if (stagesNode == null || stagesNode.isNull()) {
            throw new ProxyStageException(root.location() + ": missing required key 'stages'");
        }
        Map<String, YamlNode> stageOverrides = new LinkedHashMap<>();
        if (stagesNode.isList()) {
            for (YamlNode item : stagesNode.list()) {
                stageOverrides.put(name(item, "stages[]"), null);
            }
        } else if (stagesNode.isMap()) {
            for (Map.Entry<String, YamlNode> entry : stagesNode.map().entrySet()) {
                checkName(entry.getKey(), entry.getValue(), "stages");
                YamlNode override = entry.getValue();
                if (override != null && !override.isNull()) {
                    requireMap(override, "stages." + entry.getKey());
                    checkKeys(override, "stages." + entry.getKey(), STAGE_KEYS);
                }
                stageOverrides.put(entry.getKey(), override == null || override.isNull() ? null : override);
            }
        } else {
            throw new ProxyStageException(stagesNode.location() + ": 'stages' must be a list of names or a map of stage overrides");
        }
        if (stageOverrides.isEmpty()) {
            throw new ProxyStageException(stagesNode.location() + ": 'stages' is empty");
        }

        Optional<String> defaultStage = optionalString(root, "defaultStage", "defaultStage");
        defaultStage.ifPresent(d -> {
            if (!stageOverrides.containsKey(d)) {
                throw new ProxyStageException(root.map().get("defaultStage").location() + ": defaultStage '" + d
                        + "' is not one of the stages (" + String.join(", ", stageOverrides.keySet()) + ")");
            }
        });

        Map<String, YamlNode> base = new LinkedHashMap<>(root.map());
        base.remove("stages");
        base.remove("defaultStage");
        YamlNode baseNode = new YamlNode(base, root.file(), root.line(), root.column());

        List<String> allStages = List.copyOf(stageOverrides.keySet());
        Map<String, StageDefinition> stages = new LinkedHashMap<>();
        Map<String, String> dataLocations = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> entry : stageOverrides.entrySet()) {
            YamlNode effective = YamlNode.merge(baseNode, entry.getValue());
            stages.put(entry.getKey(), stage(entry.getKey(), allStages, effective, baseDir, dataLocations));
        }
        checkDataIsolation(stages, dataLocations);
        return new PipelineConfig(file, profile, defaultStage, stages);
    }

    /**
     * Two stages never share a data directory, and no test stage may mount prod's: each stage keeps its own data,
     * and test stages never touch production data.
     */
    private static void checkDataIsolation(Map<String, StageDefinition> stages, Map<String, String> locations) {
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
                        throw new ProxyStageException(locations.get(owner) + ": " + owner + " and " + other.getValue()
                                + " would share the data directory " + dir.get() + "; "
                                + (prod ? "test stages never touch production data" : "each stage keeps its own data"));
                    }
                }
                owners.put(dir.get(), owner);
            }
        }
    }

    private StageDefinition stage(String name, List<String> allStages, YamlNode node, Path baseDir,
                                         Map<String, String> dataLocations) {
        YamlNode nginxNode = node.map().get("nginx");
        if (nginxNode == null || nginxNode.isNull()) {
            throw new ProxyStageException(node.location() + ": missing required key 'nginx'");
        }
        requireMap(nginxNode, "nginx");
        checkKeys(nginxNode, "nginx", NGINX_KEYS);
        String nginxImage = requiredString(nginxNode, "image", "nginx");
        Path confDir = baseDir.resolve(requiredString(nginxNode, "confDir", "nginx")).normalize();
        Map<String, Path> files = new LinkedHashMap<>();
        YamlNode filesNode = nginxNode.map().get("files");
        if (filesNode != null && !filesNode.isNull()) {
            requireMap(filesNode, "nginx.files");
            filesNode.map().forEach((containerPath, hostPath) -> {
                if (!containerPath.startsWith("/")) {
                    throw new ProxyStageException(hostPath.location() + ": nginx.files key '" + containerPath
                            + "' must be an absolute container path");
                }
                files.put(containerPath, baseDir.resolve(scalar(hostPath, "nginx.files." + containerPath)).normalize());
            });
        }

        List<BackendSpec> backends = new ArrayList<>();
        YamlNode backendsNode = node.map().get("backends");
        if (backendsNode != null && !backendsNode.isNull()) {
            requireMap(backendsNode, "backends");
            Map<String, String> aliases = new LinkedHashMap<>();
            for (Map.Entry<String, YamlNode> entry : backendsNode.map().entrySet()) {
                BackendSpec backend = backend(entry.getKey(), entry.getValue(), name, baseDir);
                if (entry.getValue() != null && entry.getValue().isMap() && entry.getValue().map().containsKey("data")) {
                    dataLocations.put(backend.name() + "@" + name, entry.getValue().map().get("data").location());
                }
                String previous = aliases.putIfAbsent(backend.alias(), backend.name());
                if (previous != null) {
                    throw new ProxyStageException(entry.getValue().location() + ": backends." + backend.name()
                            + " uses alias '" + backend.alias() + "', already taken by backend '" + previous
                            + "' in stage '" + name + "'");
                }
                backends.add(backend);
            }
        }

        String echoImage = DEFAULT_ECHO_IMAGE;
        YamlNode echoNode = node.map().get("echo");
        if (echoNode != null && !echoNode.isNull()) {
            requireMap(echoNode, "echo");
            checkKeys(echoNode, "echo", ECHO_KEYS);
            echoImage = optionalString(echoNode, "image", "echo").orElse(DEFAULT_ECHO_IMAGE);
        }
        Optional<Path> mainConfig = optionalString(nginxNode, "mainConfig", "nginx").map(p -> baseDir.resolve(p).normalize());
        mainConfig.ifPresent(main -> {
            if (!Files.isRegularFile(main)) {
                throw new ProxyStageException(nginxNode.map().get("mainConfig").location() + ": nginx.mainConfig: " + main + " does not exist");
            }
        });
        return new StageDefinition(name, allStages, new NginxSpec(nginxImage, confDir, files, mainConfig), backends, echoImage,
                tls(node.map().get("tls"), baseDir), probeSuppressions(node.map().get("probes")));
    }

    /** {@code probes: {suppress: {version-disclosure: "reason"}}}; every suppression needs its reason. */
    private static Map<String, String> probeSuppressions(YamlNode node) {
        Map<String, String> suppressions = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return suppressions;
        }
        requireMap(node, "probes");
        checkKeys(node, "probes", PROBES_KEYS);
        YamlNode suppress = node.map().get("suppress");
        if (suppress != null && !suppress.isNull()) {
            requireMap(suppress, "probes.suppress");
            suppress.map().forEach((probe, reason) -> {
                String text = reason == null || reason.isNull() ? "" : scalar(reason, "probes.suppress." + probe);
                if (text.isBlank()) {
                    throw new ProxyStageException((reason == null ? suppress : reason).location() + ": probes.suppress."
                            + probe + " needs a reason, e.g. " + probe + ": \"served by a vendor image\"");
                }
                suppressions.put(probe, text.strip());
            });
        }
        return suppressions;
    }

    private static TlsSpec tls(YamlNode node, Path baseDir) {
        if (node == null || node.isNull()) {
            return TlsSpec.DEFAULT;
        }
        requireMap(node, "tls");
        checkKeys(node, "tls", TLS_KEYS);
        TlsSpec.Generate generate = optionalString(node, "generate", "tls").map(value -> switch (value) {
            case "auto" -> TlsSpec.Generate.AUTO;
            case "always" -> TlsSpec.Generate.ALWAYS;
            default -> throw new ProxyStageException(node.map().get("generate").location()
                    + ": tls.generate must be 'auto' or 'always', got '" + value + "'");
        }).orElse(TlsSpec.Generate.AUTO);
        Map<String, String> testNames = new LinkedHashMap<>();
        YamlNode namesNode = node.map().get("testNames");
        if (namesNode != null && !namesNode.isNull()) {
            requireMap(namesNode, "tls.testNames");
            namesNode.map().forEach((serverName, value) -> testNames.put(serverName, scalar(value, "tls.testNames." + serverName)));
        }
        List<Path> trust = new ArrayList<>();
        YamlNode trustNode = node.map().get("trust");
        if (trustNode != null && !trustNode.isNull()) {
            if (!trustNode.isList()) {
                throw new ProxyStageException(trustNode.location() + ": tls.trust must be a list of PEM files");
            }
            for (YamlNode item : trustNode.list()) {
                Path pem = baseDir.resolve(scalar(item, "tls.trust[]")).normalize();
                if (!Files.isRegularFile(pem)) {
                    throw new ProxyStageException(item.location() + ": tls.trust: " + pem + " does not exist");
                }
                trust.add(pem);
            }
        }
        return new TlsSpec(generate, testNames, trust);
    }

    private BackendSpec backend(String name, YamlNode node, String stage, Path baseDir) {
        String path = "backends." + name;
        checkName(name, node, "backends");
        if (node == null || node.isNull()) {
            throw new ProxyStageException(locationOf(node) + ": " + path + ": missing required key 'image'");
        }
        requireMap(node, path);
        checkKeys(node, path, BACKEND_KEYS);
        String image = requiredString(node, "image", path);
        String alias = optionalString(node, "alias", path).orElse(name);
        if (!HOST_LABEL.matcher(alias).matches()) {
            throw new ProxyStageException(node.map().getOrDefault("alias", node).location() + ": " + path
                    + ".alias '" + alias + "' is not a valid host name (lower-case letters, digits and '-')");
        }
        int port = optionalString(node, "port", path).map(p -> port(p, node.map().get("port"), path + ".port")).orElse(80);
        List<Integer> ports = ports(node, path, image, port);
        HealthCheck health = new HealthCheck("/", HealthCheck.DEFAULT_TIMEOUT);
        YamlNode healthNode = node.map().get("health");
        if (healthNode != null && !healthNode.isNull()) {
            requireMap(healthNode, path + ".health");
            checkKeys(healthNode, path + ".health", HEALTH_KEYS);
            String healthPath = optionalString(healthNode, "path", path + ".health").orElse("/");
            if (!healthPath.startsWith("/")) {
                throw new ProxyStageException(healthNode.map().get("path").location() + ": " + path
                        + ".health.path must start with '/'");
            }
            Duration timeout = optionalString(healthNode, "timeout", path + ".health")
                    .map(t -> duration(t, healthNode.map().get("timeout"), path + ".health.timeout"))
                    .orElse(HealthCheck.DEFAULT_TIMEOUT);
            health = new HealthCheck(healthPath, timeout);
        }
        Optional<DataSpec> data = data(node.map().get("data"), path + ".data", name, stage, baseDir);
        Map<String, String> env = new LinkedHashMap<>();
        Set<String> secrets = new java.util.LinkedHashSet<>();
        YamlNode envNode = node.map().get("env");
        if (envNode != null && !envNode.isNull()) {
            requireMap(envNode, path + ".env");
            envNode.map().forEach((key, value) -> {
                String text = value == null || value.isNull() ? "" : scalar(value, path + ".env." + key);
                Matcher secret = SECRET.matcher(text.strip());
                if (secret.matches()) {
                    String resolved = System.getenv(secret.group(1));
                    if (resolved == null) {
                        throw new ProxyStageException(value.location() + ": " + path + ".env." + key + " takes the environment variable "
                                + secret.group(1) + ", which is not set");
                    }
                    secrets.add(key);
                    text = resolved;
                }
                env.put(key, text);
            });
        }
        List<String> command = new ArrayList<>();
        YamlNode commandNode = node.map().get("command");
        if (commandNode != null && !commandNode.isNull()) {
            if (!commandNode.isList() || commandNode.list().isEmpty()) {
                throw new ProxyStageException(commandNode.location() + ": " + path
                        + ".command must be a non-empty list, e.g. [nginx, -g, \"daemon off;\"]");
            }
            commandNode.list().forEach(item -> command.add(scalar(item, path + ".command[]")));
            if (BackendSpec.ECHO.equals(image)) {
                throw new ProxyStageException(commandNode.location() + ": " + path + ".command cannot be used with image: echo");
            }
        }
        return new BackendSpec(name, alias, image, port, health, data, env, command, secrets, ports);
    }

    /** {@code data: /data}, or a map with mount, persist, hostPath, seedFrom and readOnly. */
    private Optional<DataSpec> data(YamlNode node, String path, String backend, String stage, Path baseDir) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String mount;
        boolean persist = options.persistAll();
        Optional<Path> hostPath = Optional.empty();
        Optional<Path> seedFrom = Optional.empty();
        boolean readOnly = stage.equals(PROD);
        if (node.isMap()) {
            checkKeys(node, path, DATA_KEYS);
            mount = requiredString(node, "mount", path);
            persist = persist || optionalString(node, "persist", path).map(v -> bool(v, node.map().get("persist"), path + ".persist")).orElse(false);
            hostPath = optionalString(node, "hostPath", path).map(p -> baseDir.resolve(p).normalize());
            seedFrom = optionalString(node, "seedFrom", path).map(p -> baseDir.resolve(p).normalize());
            readOnly = optionalString(node, "readOnly", path).map(v -> bool(v, node.map().get("readOnly"), path + ".readOnly")).orElse(readOnly);
            seedFrom.ifPresent(dir -> {
                if (!Files.isDirectory(dir)) {
                    throw new ProxyStageException(node.map().get("seedFrom").location() + ": " + path + ".seedFrom: "
                            + dir + " is not a directory");
                }
            });
        } else {
            mount = scalar(node, path);
        }
        if (!mount.startsWith("/")) {
            throw new ProxyStageException(node.location() + ": " + path + " must name an absolute container path, e.g. /data");
        }
        Optional<Path> hostDir = hostPath.isPresent() || !persist ? hostPath
                : Optional.of(options.dataRoot().resolve(backend + "-" + stage));
        return Optional.of(new DataSpec(mount, hostDir, seedFrom, readOnly));
    }

    private static boolean bool(String text, YamlNode node, String path) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ProxyStageException(node.location() + ": " + path + " must be true or false, got '" + text + "'");
        };
    }

    private static int port(String text, YamlNode node, String path) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ProxyStageException(node.location() + ": " + path + " must be a port number (1-65535), got '" + text + "'");
    }

    /** Every port an echo backend listens on: the main {@code port} first, then {@code ports} (duplicates dropped). */
    private static List<Integer> ports(YamlNode node, String path, String image, int main) {
        List<Integer> ports = new ArrayList<>(List.of(main));
        YamlNode list = node.map().get("ports");
        if (list == null || list.isNull()) {
            return ports;
        }
        if (!list.isList() || list.list().isEmpty()) {
            throw new ProxyStageException(list.location() + ": " + path + ".ports must be a non-empty list, e.g. [80, 8080]");
        }
        if (!BackendSpec.ECHO.equals(image)) {
            throw new ProxyStageException(list.location() + ": " + path
                    + ".ports is for image: echo (another image listens where it listens; name its main port with port)");
        }
        for (YamlNode item : list.list()) {
            int port = port(scalar(item, path + ".ports[]"), item, path + ".ports[]");
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static Duration duration(String text, YamlNode node, String path) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new ProxyStageException(node.location() + ": " + path + " must be a duration such as 60s, 500ms or 2m, got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    private static String name(YamlNode node, String path) {
        String name = scalar(node, path);
        checkName(name, node, path);
        return name;
    }

    private static void checkName(String name, YamlNode node, String path) {
        if (!NAME.matcher(name).matches()) {
            throw new ProxyStageException(locationOf(node) + ": " + path + ": '" + name
                    + "' is not a valid name (lower-case letters, digits, '.', '_' and '-')");
        }
    }

    private static void checkKeys(YamlNode node, String path, Set<String> known) {
        for (Map.Entry<String, YamlNode> entry : node.map().entrySet()) {
            if (!known.contains(entry.getKey())) {
                String where = entry.getValue() != null ? entry.getValue().location() : node.location();
                throw new ProxyStageException(where + ": unknown key '" + (path.isEmpty() ? "" : path + ".") + entry.getKey()
                        + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static void requireMap(YamlNode node, String path) {
        if (!node.isMap()) {
            throw new ProxyStageException(node.location() + ": " + path + " must be a mapping (key: value)");
        }
    }

    private static String requiredString(YamlNode node, String key, String path) {
        return optionalString(node, key, path).orElseThrow(() -> new ProxyStageException(node.location() + ": "
                + path + ": missing required key '" + key + "'"));
    }

    private static Optional<String> optionalString(YamlNode node, String key, String path) {
        YamlNode value = node.map().get(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        String text = scalar(value, path + "." + key);
        return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    private static String scalar(YamlNode node, String path) {
        if (node.isMap() || node.isList()) {
            throw new ProxyStageException(node.location() + ": " + path + " must be a single value, not a "
                    + (node.isMap() ? "mapping" : "list"));
        }
        return node.isNull() ? "" : (String) node.value();
    }

    private static String locationOf(YamlNode node) {
        return node == null ? "(unknown)" : node.location();
    }
}
