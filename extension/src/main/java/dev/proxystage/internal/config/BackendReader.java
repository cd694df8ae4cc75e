package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.nginx.HostTree;
import dev.proxystage.internal.nginx.NginxConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Reads one backend entry of a stage's effective YAML into a {@link BackendSpec}. */
final class BackendReader {

    private final PipelineConfigLoader.Options options;
    private final Path baseDir;
    private final ConfigProblems problems;
    private final LoadSources.Reading reading;
    private final Supplier<HostPaths> hostPathRules;
    private HostPaths hostPaths;

    BackendReader(PipelineConfigLoader.Options options, Path baseDir, ConfigProblems problems, LoadSources.Reading reading,
                  Supplier<HostPaths> hostPaths) {
        this.options = options;
        this.baseDir = baseDir;
        this.problems = problems;
        this.reading = reading;
        this.hostPathRules = hostPaths;
    }

    /** The rules are read from this host (its home, its engine's socket) only when a hostPath needs them. */
    private HostPaths hostPaths() {
        if (hostPaths == null) {
            hostPaths = hostPathRules.get();
        }
        return hostPaths;
    }

    /** The backend, or empty when it has problems (they are recorded, every one). */
    Optional<BackendSpec> read(String name, YamlNode node, YamlNode parent, String stage) {
        YamlNode where = node != null ? node : parent;
        String path = parent.child(name);
        int before = problems.size();
        boolean validName = problems.attempt(() -> {
            Schema.checkName(name, where, path);
            Schema.checkContainerName(name, stage, where, path);
            return true;
        }, false);
        if (node == null || node.isNull()) {
            problems.add(where.location() + ": " + path + ": missing required key 'image'");
            return Optional.empty();
        }
        if (!problems.attempt(() -> {
            Values.requireMap(node);
            return true;
        }, false)) {
            return Optional.empty();
        }
        Schema.checkKeys(node, Schema.BACKEND_KEYS, problems);
        String image = problems.attempt(() -> Values.image(node), "");
        String alias = problems.attempt(() -> {
            Optional<String> given = Values.optionalString(node, "alias");
            // A default alias is the name: once the name is refused, its alias is not a second problem.
            if (given.isPresent() || validName) {
                Schema.checkAlias(given.orElse(name), node.map().getOrDefault("alias", node), node.child("alias"));
            }
            return given.orElse(name);
        }, name);
        int port = problems.attempt(() -> optional(node, "port").map(Values::port).orElse(80), 80);
        List<Integer> ports = problems.attempt(() -> ports(node.map().get("ports"), image, port), List.of(port));
        HealthCheck health = problems.attempt(() -> health(node.map().get("health")),
                new HealthCheck("/", HealthCheck.DEFAULT_TIMEOUT));
        Optional<DataSpec> data = problems.attempt(() -> data(node.map().get("data"), name, stage), Optional.empty());
        Map<String, String> env = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        // env_file first: env's own entries win, as in compose.
        problems.attempt(() -> envFiles(node.map().get("envFile"), env, secrets));
        problems.attempt(() -> env(node.map().get("env"), env, secrets));
        List<String> command = problems.attempt(() -> command(node.map().get("command"), image), List.of());
        List<String> entrypoint = problems.attempt(() -> command(node.map().get("entrypoint"), image), List.of());
        List<String> aliases = problems.attempt(() -> aliases(node.map().get("aliases"), alias), List.of());
        boolean faults = problems.attempt(() -> faults(node, alias), false);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new BackendSpec(name, alias, image, port, health, data, env, command, secrets, ports,
                aliases, entrypoint, faults));
    }

    /** More host names on the stage network; each a valid alias, none twice. */
    private static List<String> aliases(YamlNode node, String alias) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isList()) {
            throw Values.error(node, "must be a list of host names, e.g. [db, db.internal]");
        }
        List<String> aliases = new ArrayList<>();
        for (YamlNode item : node.list()) {
            String name = Values.scalar(item).strip();
            Schema.checkAlias(name, item, item.path());
            if (name.equals(alias) || aliases.contains(name)) {
                throw Values.error(item, "names '" + name + "' twice (alias and aliases are one set of host names)");
            }
            aliases.add(name);
        }
        return aliases;
    }

    /**
     * {@code envFile: app.env} or a list: compose's env_file, read when pipeline.yml loads, every value a secret
     * (never printed), since such files are where secrets live.
     */
    private void envFiles(YamlNode node, Map<String, String> env, Set<String> secrets) {
        if (node == null || node.isNull()) {
            return;
        }
        List<YamlNode> items = node.isList() ? node.list() : List.of(node);
        for (YamlNode item : items) {
            problems.attempt(() -> {
                String text = Values.scalar(item).strip();
                if (text.isEmpty()) {
                    throw Values.error(item, "needs a file");
                }
                Path file = baseDir.resolve(text).normalize();
                if (!Files.isRegularFile(file)) {
                    throw Values.pathError(item, file, Files.isDirectory(file) ? "is a directory, not a file"
                            : "does not exist");
                }
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw Values.pathError(item, file, "cannot be read: " + e.getMessage());
                }
                reading.file(file, bytes);
                String content = new String(bytes, StandardCharsets.UTF_8);
                Map<String, String> values = EnvFile.parse(file, content, name -> {
                    String value = System.getenv(name);
                    reading.environment(name, value);
                    return Optional.ofNullable(value);
                });
                env.putAll(values);
                secrets.addAll(values.keySet());
            });
        }
    }

    private static Optional<YamlNode> optional(YamlNode map, String key) {
        YamlNode value = map.map().get(key);
        return value == null || value.isNull() || Values.scalar(value).isBlank() ? Optional.empty() : Optional.of(value);
    }

    /**
     * {@code faults: true} (or {@code proxystage.faults=true} for every backend): the fault proxy takes the alias, and
     * the backend answers under {@code <alias>--origin}, which must still fit a host name label.
     */
    private boolean faults(YamlNode node, String alias) {
        boolean faults = optional(node, "faults").map(Values::bool).orElse(false) || options.faultsAll();
        int longest = Schema.MAX_NAME - BackendSpec.ORIGIN_SUFFIX.length();
        if (faults && alias.length() > longest) {
            YamlNode where = node.map().getOrDefault("faults", node.map().getOrDefault("alias", node));
            throw new ProxyStageException(where.location() + ": " + node.path() + ": with the fault proxy in its path the"
                    + " backend answers as '" + alias + BackendSpec.ORIGIN_SUFFIX + "', longer than a host name may be ("
                    + Schema.MAX_NAME + "); shorten alias '" + alias + "' to at most " + longest + " characters");
        }
        return faults;
    }

    private static HealthCheck health(YamlNode node) {
        if (node == null || node.isNull()) {
            return new HealthCheck("/", HealthCheck.DEFAULT_TIMEOUT);
        }
        Values.requireMap(node);
        ConfigProblems local = new ConfigProblems();
        Schema.checkKeys(node, Schema.HEALTH_KEYS, local);
        local.throwIfAny();
        String healthPath = Values.optionalString(node, "path").orElse("/");
        if (!healthPath.startsWith("/")) {
            throw Values.error(node.map().get("path"), "must start with '/'");
        }
        Duration timeout = optional(node, "timeout").map(Values::timeout).orElse(HealthCheck.DEFAULT_TIMEOUT);
        return new HealthCheck(healthPath, timeout);
    }

    /** {@code ${env:NAME}} values come from the environment and are secrets; a malformed reference is an error. */
    private void env(YamlNode node, Map<String, String> env, Set<String> secrets) {
        if (node == null || node.isNull()) {
            return;
        }
        Values.requireMap(node);
        node.map().forEach((key, value) -> problems.attempt(() -> {
            String text = value == null || value.isNull() ? "" : Values.scalar(value);
            Optional<String> variable = value == null ? Optional.empty() : Values.secretReference(value, text);
            if (variable.isPresent()) {
                String resolved = System.getenv(variable.get());
                reading.environment(variable.get(), resolved);
                if (resolved == null) {
                    throw Values.error(value, "takes the environment variable " + variable.get() + ", which is not set");
                }
                secrets.add(key);
                text = resolved;
            } else {
                secrets.remove(key); // a plain value written here replaces an env file's secret
            }
            env.put(key, text);
        }));
    }

    /** {@code command} or {@code entrypoint}: a non-empty list, not for the echo backend. */
    private static List<String> command(YamlNode node, String image) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isList() || node.list().isEmpty()) {
            throw Values.error(node, "must be a non-empty list, e.g. " + (node.path().endsWith("entrypoint")
                    ? "[/docker-entrypoint.sh]" : "[nginx, -g, \"daemon off;\"]"));
        }
        if (BackendSpec.ECHO.equals(image)) {
            throw Values.error(node, "cannot be used with image: echo");
        }
        List<String> command = new ArrayList<>();
        node.list().forEach(item -> command.add(Values.scalar(item)));
        return command;
    }

    /**
     * {@code data: /data}, or a map with mount, persist, hostPath, seedFrom and readOnly. A hostPath is judged by
     * {@link HostPaths} and mounts read-only unless the entry says {@code readOnly: false}; other data is read-only by
     * default only in prod.
     */
    private Optional<DataSpec> data(YamlNode node, String backend, String stage) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String mount;
        boolean persist = options.persistAll();
        Optional<Path> hostPath = Optional.empty();
        Optional<Path> seedFrom = Optional.empty();
        boolean readOnly = DataIsolation.readOnlyByDefault(stage);
        if (node.isMap()) {
            ConfigProblems local = new ConfigProblems();
            Schema.checkKeys(node, Schema.DATA_KEYS, local);
            local.throwIfAny();
            mount = Values.requiredString(node, "mount");
            persist = persist || optional(node, "persist").map(Values::bool).orElse(false);
            hostPath = Values.optionalString(node, "hostPath").map(p -> baseDir.resolve(p).normalize());
            if (hostPath.isPresent()) {
                Optional<String> refused = hostPaths().refusal(hostPath.get());
                if (refused.isPresent()) {
                    throw Values.pathError(node.map().get("hostPath"), hostPath.get(), refused.get());
                }
            }
            seedFrom = Values.optionalString(node, "seedFrom").map(p -> baseDir.resolve(p).normalize());
            readOnly = optional(node, "readOnly").map(Values::bool)
                    .orElse(readOnly || hostPath.isPresent());
            if (seedFrom.isPresent() && !Files.isDirectory(seedFrom.get())) {
                throw Values.pathError(node.map().get("seedFrom"), seedFrom.get(), "is not a directory");
            }
            if (seedFrom.isPresent()) {
                // The seed is copied into the container, following symlinks: a loop would never end.
                try {
                    HostTree.check(seedFrom.get());
                } catch (NginxConfigException e) {
                    throw new ProxyStageException(node.map().get("seedFrom").location() + ": " + node.child("seedFrom")
                            + ": " + e.getMessage());
                }
            }
            // Seeding writes into the data before the backend starts: not into a read-only mount (prod is never
            // seeded at all, which ProdSafety says when prod starts).
            if (seedFrom.isPresent() && hostPath.isPresent() && readOnly && !stage.equals(DataIsolation.PROD)) {
                throw Values.error(node.map().get("seedFrom"), "seeds " + hostPath.get() + ", which is mounted read-only"
                        + (node.map().containsKey("readOnly") ? "" : " (a hostPath mounts read-only unless the entry says"
                        + " readOnly: false)"));
            }
        } else {
            mount = Values.scalar(node);
        }
        if (!mount.startsWith("/")) {
            YamlNode where = node.isMap() ? node.map().get("mount") : node;
            throw new ProxyStageException(where.location() + ": " + node.path()
                    + " must name an absolute container path, e.g. /data");
        }
        Optional<Path> hostDir = hostPath.isPresent() || !persist ? hostPath
                : Optional.of(options.dataRoot().resolve(backend + "-" + stage));
        return Optional.of(new DataSpec(mount, hostDir, seedFrom, readOnly));
    }

    /** Every port an echo backend listens on: the main {@code port} first, then {@code ports} (duplicates dropped). */
    private static List<Integer> ports(YamlNode list, String image, int main) {
        List<Integer> ports = new ArrayList<>(List.of(main));
        if (list == null || list.isNull()) {
            return ports;
        }
        if (!list.isList() || list.list().isEmpty()) {
            throw new ProxyStageException(list.location() + ": " + list.path() + " must be a non-empty list, e.g. [80, 8080]");
        }
        if (!BackendSpec.ECHO.equals(image)) {
            throw new ProxyStageException(list.location() + ": " + list.path()
                    + " is for image: echo (another image listens where it listens; name its main port with port)");
        }
        for (YamlNode item : list.list()) {
            int port = Values.port(item);
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }
}
