package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
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
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compose file's services, read as the compose specification defines their keys, with the line each value is
 * written on. Values are interpolated as compose does ({@link ComposeInterpolation}), from the given environment
 * and then the {@code .env} file of the project directory (the compose file's); environment values are kept as
 * written, since whether one is a secret decides what becomes of it. YAML merge keys ({@code <<: *defaults}) are
 * applied. What ProxyStage has no use for is listed per service, so that nothing is dropped silently.
 */
public final class ComposeFile {

    /** A scalar as written, interpolated, and its line. */
    public record Value(String text, int line) {
    }

    /** One {@code environment} entry; {@code raw} is empty for a name without a value ({@code - NAME}, {@code NAME:}). */
    public record EnvEntry(String name, Optional<String> raw, int line) {
    }

    /** One {@code env_file} entry: its path as written (interpolated) and whether compose requires it. */
    public record EnvFileRef(String path, boolean required, int line) {
    }

    /** {@code command} or {@code entrypoint}: the arguments (a string is split as compose splits it); empty overrides. */
    public record Command(List<String> args, int line) {
        public Command {
            args = List.copyOf(args);
        }
    }

    /** {@code healthcheck}: {@code test} as a list whose first item is CMD, CMD-SHELL or NONE. */
    public record Healthcheck(List<String> test, Optional<Duration> interval, Optional<Duration> timeout,
                              Optional<Duration> startPeriod, Optional<Integer> retries, boolean disabled, int line,
                              List<Value> unsupported) {
        public Healthcheck {
            test = List.copyOf(test);
            unsupported = List.copyOf(unsupported);
        }
    }

    /** A mount of {@code volumes}. */
    public record Mount(Kind kind, String source, String target, boolean readOnly, int line) {
        /** A named volume, a host path, a volume without a name, a tmpfs, or anything else. */
        public enum Kind { VOLUME, BIND, ANONYMOUS, TMPFS, OTHER }
    }

    /** A container port of {@code expose} or {@code ports} (tcp only). */
    public record Port(int port, int line) {
    }

    /**
     * One service.
     *
     * @param unsupported keys ProxyStage does not carry over, as {@code Value(key, line)}; {@code x-} keys are left
     *                    out, as compose ignores them too
     */
    public record Service(String name, int line, Optional<Value> image, Optional<Value> build,
                          List<EnvEntry> environment, List<EnvFileRef> envFiles, Optional<Command> command,
                          Optional<Command> entrypoint, Optional<Healthcheck> healthcheck, List<Mount> volumes,
                          List<Value> aliases, Optional<Value> containerName, List<Value> dependsOn, List<Port> ports,
                          List<Value> links, List<Value> unsupported) {

        /** Every name this service's container is reached by on its networks: its name, aliases, container name. */
        public List<String> hostNames() {
            Set<String> names = new LinkedHashSet<>();
            names.add(name);
            aliases.forEach(a -> names.add(a.text()));
            containerName.ifPresent(c -> names.add(c.text()));
            return List.copyOf(names);
        }
    }

    /** Something compose would warn about, or that ProxyStage does not follow, at a line of the file. */
    public record Warning(int line, String message) {
    }

    private static final Set<String> HANDLED = Set.of("image", "build", "environment", "env_file", "command",
            "entrypoint", "healthcheck", "volumes", "networks", "container_name", "depends_on", "expose", "ports",
            "links");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final int MAX_PORT_RANGE = 100;

    private final Path file;
    private final Map<String, Service> services;
    private final List<Warning> warnings;
    private final Function<String, Optional<String>> variables;

    private ComposeFile(Path file, Map<String, Service> services, List<Warning> warnings,
                        Function<String, Optional<String>> variables) {
        this.file = file;
        this.services = services;
        this.warnings = warnings;
        this.variables = variables;
    }

    public Path file() {
        return file;
    }

    public Map<String, Service> services() {
        return services;
    }

    public List<Warning> warnings() {
        return warnings;
    }

    /** {@code file:line}. */
    public String where(int line) {
        return file + ":" + line;
    }

    /** Interpolates {@code text} with this file's variables (the environment, then {@code .env}). */
    public ComposeInterpolation.Result interpolate(String text) throws ComposeInterpolation.Failure {
        return ComposeInterpolation.interpolate(text, variables);
    }

    /** A variable as interpolation sees it: the environment's, else {@code .env}'s. */
    public Optional<String> variable(String name) {
        return variables.apply(name);
    }

    /**
     * Reads {@code file}.
     *
     * @param environment the variables of the environment (init passes its own); {@code .env} beside the file adds
     *                    those it does not have
     * @throws ProxyStageException {@code file:line:column: message} for what compose itself would refuse
     */
    public static ComposeFile read(Path file, Map<String, String> environment) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new ProxyStageException("compose file not found: " + absolute);
        }
        Map<String, String> dotEnv = dotEnv(absolute.getParent().resolve(".env"), environment);
        Function<String, Optional<String>> variables = name -> Optional.ofNullable(environment.get(name))
                .or(() -> Optional.ofNullable(dotEnv.get(name)));
        YamlNode root = flattenMerges(YamlLoader.load(absolute));
        Reader reader = new Reader(absolute, variables);
        return reader.read(root);
    }

    /** The project's {@code .env}: compose's variables for interpolation, the environment winning. */
    private static Map<String, String> dotEnv(Path file, Map<String, String> environment) {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return EnvFile.parse(file, text, name -> Optional.ofNullable(environment.get(name)));
        } catch (IOException e) {
            throw new ProxyStageException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Applies YAML merge keys: {@code <<: *a} or {@code <<: [*a, *b]} gives keys the mapping does not set itself. */
    static YamlNode flattenMerges(YamlNode node) {
        if (node == null) {
            return null;
        }
        if (node.isList()) {
            List<YamlNode> items = new ArrayList<>();
            node.list().forEach(item -> items.add(flattenMerges(item)));
            return new YamlNode(items, node.file(), node.line(), node.column(), node.path());
        }
        if (!node.isMap()) {
            return node;
        }
        Map<String, YamlNode> own = new LinkedHashMap<>();
        node.map().forEach((key, value) -> {
            if (!key.equals("<<")) {
                own.put(key, flattenMerges(value));
            }
        });
        YamlNode merge = node.map().get("<<");
        if (merge == null) {
            return new YamlNode(own, node.file(), node.line(), node.column(), node.path());
        }
        Map<String, YamlNode> merged = new LinkedHashMap<>();
        List<YamlNode> sources = merge.isList() ? merge.list() : List.of(merge);
        for (YamlNode source : sources) {
            YamlNode flat = flattenMerges(source);
            if (flat == null || !flat.isMap()) {
                throw new ProxyStageException(merge.location() + ": '<<' merges mappings only");
            }
            // an earlier source wins over a later one, as YAML's merge key has it
            flat.map().forEach(merged::putIfAbsent);
        }
        merged.putAll(own);
        return new YamlNode(merged, node.file(), node.line(), node.column(), node.path());
    }

    /** Reads the document; holds the variables and collects warnings. */
    private static final class Reader {
        private final Path file;
        private final Function<String, Optional<String>> variables;
        private final List<Warning> warnings = new ArrayList<>();
        private final Set<String> warnedUnset = new LinkedHashSet<>();

        Reader(Path file, Function<String, Optional<String>> variables) {
            this.file = file;
            this.variables = variables;
        }

        ComposeFile read(YamlNode root) {
            if (root == null || !root.isMap()) {
                throw new ProxyStageException(file + ":1:1: a compose file is a mapping with a 'services' key");
            }
            YamlNode servicesNode = root.map().get("services");
            if (servicesNode == null || servicesNode.isNull()) {
                throw new ProxyStageException(file + ":1:1: no 'services' key: a compose file defines its services"
                        + " under 'services'");
            }
            if (!servicesNode.isMap()) {
                throw new ProxyStageException(servicesNode.location() + ": services must be a mapping of service names");
            }
            YamlNode include = root.map().get("include");
            if (include != null) {
                warnings.add(new Warning(include.line(), "\"include\" is not followed: services of included files"
                        + " are not read"));
            }
            Map<String, Service> services = new LinkedHashMap<>();
            servicesNode.map().forEach((name, node) -> services.put(name, service(name, node, servicesNode)));
            return new ComposeFile(file, services, warnings, variables);
        }

        private Service service(String name, YamlNode node, YamlNode parent) {
            if (node == null || !node.isMap()) {
                YamlNode where = node == null ? parent : node;
                throw new ProxyStageException(where.location() + ": service \"" + name + "\" must be a mapping");
            }
            Map<String, YamlNode> keys = node.map();
            List<Value> unsupported = new ArrayList<>();
            keys.forEach((key, value) -> {
                if (!HANDLED.contains(key) && !key.startsWith("x-")) {
                    unsupported.add(new Value(key, value == null ? node.line() : value.line()));
                }
            });
            List<Value> aliases = new ArrayList<>();
            networks(keys.get("networks"), aliases, unsupported);
            return new Service(name, node.line(),
                    optionalScalar(keys.get("image")),
                    Optional.ofNullable(keys.get("build")).map(b -> new Value("build", b.line())),
                    environment(keys.get("environment")),
                    envFiles(keys.get("env_file")),
                    command(keys.get("command")),
                    command(keys.get("entrypoint")),
                    healthcheck(keys.get("healthcheck")),
                    volumes(keys.get("volumes")),
                    aliases,
                    optionalScalar(keys.get("container_name")),
                    dependsOn(keys.get("depends_on")),
                    ports(keys.get("expose"), keys.get("ports")),
                    scalars(keys.get("links")),
                    unsupported);
        }

        private String text(YamlNode node) {
            if (node.isMap() || node.isList()) {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a single value, not a "
                        + (node.isMap() ? "mapping" : "list"));
            }
            String raw = node.isNull() ? "" : (String) node.value();
            try {
                ComposeInterpolation.Result result = ComposeInterpolation.interpolate(raw, variables);
                for (String unset : result.unset()) {
                    if (warnedUnset.add(unset)) {
                        warnings.add(new Warning(node.line(), "variable " + unset + " is not set; an empty string is"
                                + " used, as compose does"));
                    }
                }
                return result.value();
            } catch (ComposeInterpolation.Failure e) {
                throw new ProxyStageException(node.location() + ": " + node.path() + ": " + e.getMessage());
            }
        }

        private Optional<Value> optionalScalar(YamlNode node) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            String value = text(node).strip();
            return value.isEmpty() ? Optional.empty() : Optional.of(new Value(value, node.line()));
        }

        private List<Value> scalars(YamlNode node) {
            List<Value> values = new ArrayList<>();
            if (node == null || node.isNull()) {
                return values;
            }
            for (YamlNode item : node.isList() ? node.list() : List.of(node)) {
                String value = text(item).strip();
                if (!value.isEmpty()) {
                    values.add(new Value(value, item.line()));
                }
            }
            return values;
        }

        /** List form {@code - NAME=value} / {@code - NAME}, or map form {@code NAME: value} / {@code NAME:}. */
        private List<EnvEntry> environment(YamlNode node) {
            List<EnvEntry> entries = new ArrayList<>();
            if (node == null || node.isNull()) {
                return entries;
            }
            if (node.isMap()) {
                node.map().forEach((name, value) -> entries.add(new EnvEntry(name,
                        value == null || value.isNull() ? Optional.empty() : Optional.of(raw(value)),
                        value == null ? node.line() : value.line())));
            } else if (node.isList()) {
                for (YamlNode item : node.list()) {
                    String text = raw(item);
                    int eq = text.indexOf('=');
                    entries.add(eq < 0 ? new EnvEntry(text.strip(), Optional.empty(), item.line())
                            : new EnvEntry(text.substring(0, eq).strip(), Optional.of(text.substring(eq + 1)), item.line()));
                }
            } else {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a mapping or a list");
            }
            return entries;
        }

        private String raw(YamlNode node) {
            if (node.isMap() || node.isList()) {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a single value");
            }
            return node.isNull() ? "" : (String) node.value();
        }

        /** {@code env_file: a.env}, a list of paths, or of {@code {path, required}}. */
        private List<EnvFileRef> envFiles(YamlNode node) {
            List<EnvFileRef> files = new ArrayList<>();
            if (node == null || node.isNull()) {
                return files;
            }
            for (YamlNode item : node.isList() ? node.list() : List.of(node)) {
                if (item.isMap()) {
                    YamlNode path = item.map().get("path");
                    if (path == null) {
                        throw new ProxyStageException(item.location() + ": " + item.path() + " needs a 'path'");
                    }
                    YamlNode required = item.map().get("required");
                    files.add(new EnvFileRef(text(path).strip(), required == null || !"false".equals(text(required).strip()),
                            item.line()));
                } else {
                    files.add(new EnvFileRef(text(item).strip(), true, item.line()));
                }
            }
            return files;
        }

        private Optional<Command> command(YamlNode node) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (node.isList()) {
                List<String> args = new ArrayList<>();
                node.list().forEach(item -> args.add(text(item)));
                return Optional.of(new Command(args, node.line()));
            }
            String text = text(node);
            try {
                return Optional.of(new Command(ShellWords.split(text), node.line()));
            } catch (IllegalArgumentException e) {
                throw new ProxyStageException(node.location() + ": " + node.path() + ": " + e.getMessage());
            }
        }

        private Optional<Healthcheck> healthcheck(YamlNode node) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isMap()) {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a mapping");
            }
            Map<String, YamlNode> keys = node.map();
            List<String> test = new ArrayList<>();
            YamlNode testNode = keys.get("test");
            if (testNode != null && testNode.isList()) {
                testNode.list().forEach(item -> test.add(text(item)));
            } else if (testNode != null && !testNode.isNull()) {
                test.add("CMD-SHELL");
                test.add(text(testNode));
            }
            boolean disabled = keys.containsKey("disable") && "true".equals(text(keys.get("disable")).strip())
                    || (!test.isEmpty() && test.get(0).equals("NONE"));
            List<Value> unsupported = new ArrayList<>();
            keys.forEach((key, value) -> {
                if (!Set.of("test", "interval", "timeout", "retries", "start_period", "disable").contains(key)) {
                    unsupported.add(new Value(key, value == null ? node.line() : value.line()));
                }
            });
            Optional<Integer> retries = optionalScalar(keys.get("retries")).map(v -> {
                try {
                    return Integer.parseInt(v.text());
                } catch (NumberFormatException e) {
                    throw new ProxyStageException(keys.get("retries").location() + ": healthcheck.retries must be a"
                            + " number, got '" + v.text() + "'");
                }
            });
            return Optional.of(new Healthcheck(test, duration(keys.get("interval")), duration(keys.get("timeout")),
                    duration(keys.get("start_period")), retries, disabled, node.line(), unsupported));
        }

        /** A compose duration: {@code 1m30s}, {@code 10s}, {@code 500ms}, {@code 2h}. */
        private Optional<Duration> duration(YamlNode node) {
            Optional<Value> value = optionalScalar(node);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            String text = value.get().text();
            Matcher m = DURATION_PART.matcher(text);
            long nanos = 0;
            int at = 0;
            while (m.find() && m.start() == at) {
                double amount = Double.parseDouble(m.group(1));
                long unit = switch (m.group(2)) {
                    case "ns" -> 1L;
                    case "us", "µs" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    default -> 3_600_000_000_000L;
                };
                nanos += (long) (amount * unit);
                at = m.end();
            }
            if (at != text.length() || at == 0) {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a duration such as"
                        + " 10s, 1m30s or 500ms, got '" + text + "'");
            }
            return Optional.of(Duration.ofNanos(nanos));
        }

        private List<Mount> volumes(YamlNode node) {
            List<Mount> mounts = new ArrayList<>();
            if (node == null || node.isNull()) {
                return mounts;
            }
            if (!node.isList()) {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a list");
            }
            for (YamlNode item : node.list()) {
                if (item.isMap()) {
                    Map<String, YamlNode> keys = item.map();
                    String type = keys.containsKey("type") ? text(keys.get("type")).strip() : "volume";
                    String source = keys.containsKey("source") ? text(keys.get("source")).strip() : "";
                    String target = keys.containsKey("target") ? text(keys.get("target")).strip() : "";
                    boolean readOnly = keys.containsKey("read_only") && "true".equals(text(keys.get("read_only")).strip());
                    Mount.Kind kind = switch (type) {
                        case "volume" -> source.isEmpty() ? Mount.Kind.ANONYMOUS : Mount.Kind.VOLUME;
                        case "bind" -> Mount.Kind.BIND;
                        case "tmpfs" -> Mount.Kind.TMPFS;
                        default -> Mount.Kind.OTHER;
                    };
                    mounts.add(new Mount(kind, source, target, readOnly, item.line()));
                    continue;
                }
                String text = text(item).strip();
                String[] parts = text.split(":", -1);
                if (parts.length == 1) {
                    mounts.add(new Mount(Mount.Kind.ANONYMOUS, "", parts[0], false, item.line()));
                } else {
                    String source = parts[0];
                    String target = parts[1];
                    boolean readOnly = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                    boolean bind = source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
                    // an empty source (a variable that is not set) is neither: compose refuses such a mount
                    Mount.Kind kind = source.isEmpty() ? Mount.Kind.OTHER : bind ? Mount.Kind.BIND : Mount.Kind.VOLUME;
                    mounts.add(new Mount(kind, source, target, readOnly, item.line()));
                }
            }
            return mounts;
        }

        /** Aliases of every network the service joins; other per-network settings are unsupported. */
        private void networks(YamlNode node, List<Value> aliases, List<Value> unsupported) {
            if (node == null || node.isNull() || node.isList()) {
                return;
            }
            if (!node.isMap()) {
                throw new ProxyStageException(node.location() + ": " + node.path() + " must be a list or a mapping");
            }
            node.map().forEach((network, settings) -> {
                if (settings == null || !settings.isMap()) {
                    return;
                }
                settings.map().forEach((key, value) -> {
                    if (key.equals("aliases")) {
                        for (Value alias : scalars(value)) {
                            if (aliases.stream().noneMatch(a -> a.text().equals(alias.text()))) {
                                aliases.add(alias);
                            }
                        }
                    } else {
                        unsupported.add(new Value("networks." + network + "." + key,
                                value == null ? settings.line() : value.line()));
                    }
                });
            });
        }

        private List<Value> dependsOn(YamlNode node) {
            if (node != null && node.isMap()) {
                List<Value> names = new ArrayList<>();
                node.map().forEach((name, value) -> names.add(new Value(name, value == null ? node.line() : value.line())));
                return names;
            }
            return scalars(node);
        }

        /** Container ports of {@code expose} and {@code ports}: short ({@code [HOST:]CONTAINER[/PROTO]}) or long form. */
        private List<Port> ports(YamlNode expose, YamlNode ports) {
            List<Port> out = new ArrayList<>();
            for (YamlNode list : new YamlNode[] {expose, ports}) {
                if (list == null || list.isNull()) {
                    continue;
                }
                for (YamlNode item : list.isList() ? list.list() : List.of(list)) {
                    if (item.isMap()) {
                        YamlNode target = item.map().get("target");
                        YamlNode protocol = item.map().get("protocol");
                        if (target != null && (protocol == null || text(protocol).strip().equals("tcp"))) {
                            addPorts(out, text(target).strip(), item);
                        }
                        continue;
                    }
                    String text = text(item).strip();
                    int slash = text.indexOf('/');
                    if (slash >= 0 && !text.substring(slash + 1).equals("tcp")) {
                        continue;
                    }
                    String mapping = slash >= 0 ? text.substring(0, slash) : text;
                    addPorts(out, mapping.substring(mapping.lastIndexOf(':') + 1), item);
                }
            }
            return out;
        }

        private void addPorts(List<Port> out, String spec, YamlNode where) {
            String[] range = spec.split("-", -1);
            try {
                int first = Integer.parseInt(range[0].strip());
                int last = range.length > 1 ? Integer.parseInt(range[1].strip()) : first;
                if (first < 1 || last > 65535 || last < first) {
                    throw new NumberFormatException();
                }
                for (int port = first; port <= Math.min(last, first + MAX_PORT_RANGE); port++) {
                    int p = port;
                    if (out.stream().noneMatch(existing -> existing.port() == p)) {
                        out.add(new Port(port, where.line()));
                    }
                }
            } catch (NumberFormatException e) {
                throw new ProxyStageException(where.location() + ": " + where.path() + ": '" + spec
                        + "' is not a container port or range");
            }
        }
    }
}
