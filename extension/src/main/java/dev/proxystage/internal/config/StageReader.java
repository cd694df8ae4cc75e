package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import dev.proxystage.hardening.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads one stage's effective YAML into a {@link StageDefinition}: nginx, backends, echo, TLS and probe
 * suppressions. Every problem is recorded; a stage with problems yields nothing.
 */
final class StageReader {

    private final Path baseDir;
    private final ConfigProblems problems;
    private final BackendReader backends;

    StageReader(PipelineConfigLoader.Options options, Path baseDir, ConfigProblems problems, LoadSources.Reading reading,
                Supplier<HostPaths> hostPaths) {
        this.baseDir = baseDir;
        this.problems = problems;
        this.backends = new BackendReader(options, baseDir, problems, reading, hostPaths);
    }

    /**
     * @param dataLocations receives where each {@code backend@stage}'s data is written, for the isolation rules
     */
    Optional<StageDefinition> read(String name, List<String> allStages, YamlNode node, Map<String, String> dataLocations) {
        int before = problems.size();
        NginxSpec nginx = problems.attempt(() -> nginx(node), null);
        List<BackendSpec> backendList = backends(name, node.map().get("backends"), dataLocations);
        String echoImage = problems.attempt(() -> echo(node.map().get("echo")), PipelineConfigLoader.DEFAULT_ECHO_IMAGE);
        TlsSpec tls = problems.attempt(() -> tls(node.map().get("tls")), TlsSpec.DEFAULT);
        Map<String, String> suppressions = problems.attempt(() -> probeSuppressions(node.map().get("probes")), Map.of());
        if (problems.size() > before || nginx == null) {
            return Optional.empty();
        }
        return Optional.of(new StageDefinition(name, allStages, nginx, backendList, echoImage, tls, suppressions));
    }

    private NginxSpec nginx(YamlNode stage) {
        YamlNode node = stage.map().get("nginx");
        if (node == null || node.isNull()) {
            throw new ProxyStageException(stage.location() + ": missing required key 'nginx'");
        }
        Values.requireMap(node);
        Schema.checkKeys(node, Schema.NGINX_KEYS, problems);
        String image = problems.attempt(() -> Values.image(node), "");
        Path confDir = problems.attempt(() -> {
            Path dir = baseDir.resolve(Values.requiredString(node, "confDir")).normalize();
            if (!Files.isDirectory(dir)) {
                throw Values.pathError(node.map().get("confDir"), dir, 
                        Files.exists(dir) ? "is not a directory" : "does not exist");
            }
            return dir;
        }, baseDir);
        Map<String, Path> files = new LinkedHashMap<>();
        problems.attempt(() -> files(node.map().get("files"), files));
        Optional<Path> mainConfig = problems.attempt(() -> {
            Optional<Path> main = Values.optionalString(node, "mainConfig").map(p -> baseDir.resolve(p).normalize());
            if (main.isPresent() && !Files.isRegularFile(main.get())) {
                throw Values.pathError(node.map().get("mainConfig"), main.get(), 
                        Files.isDirectory(main.get()) ? "is a directory, not a file" : "does not exist");
            }
            return main;
        }, Optional.empty());
        List<String> modules = problems.attempt(() -> modules(node.map().get("modules")), List.of());
        return new NginxSpec(image, confDir, files, mainConfig, modules);
    }

    /** {@code modules: [headers-more, geoip2]}: names of third-party modules the image carries. */
    private static List<String> modules(YamlNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isList()) {
            throw Values.error(node, "must be a list of module names, e.g. [headers-more]");
        }
        List<String> modules = new ArrayList<>();
        for (YamlNode item : node.list()) {
            String name = Values.scalar(item).strip();
            if (name.isEmpty()) {
                throw Values.error(item, "is an empty module name");
            }
            modules.add(name);
        }
        return modules;
    }

    /** {@code files: {/container/dir: ./host/dir}}: every host path must exist, or the container gets nothing useful. */
    private void files(YamlNode node, Map<String, Path> files) {
        if (node == null || node.isNull()) {
            return;
        }
        Values.requireMap(node);
        node.map().forEach((containerPath, hostNode) -> problems.attempt(() -> {
            YamlNode where = hostNode != null ? hostNode : node;
            if (!containerPath.startsWith("/")) {
                throw new ProxyStageException(where.location() + ": " + node.path() + " key '" + containerPath
                        + "' must be an absolute container path");
            }
            if (hostNode == null || Values.scalar(hostNode).isBlank()) {
                throw new ProxyStageException(where.location() + ": " + node.child(containerPath) + " needs a host path");
            }
            Path host = baseDir.resolve(Values.scalar(hostNode).strip()).normalize();
            if (!Files.exists(host)) {
                throw Values.pathError(hostNode, host, "does not exist");
            }
            files.put(containerPath, host);
        }));
    }

    private List<BackendSpec> backends(String stage, YamlNode node, Map<String, String> dataLocations) {
        List<BackendSpec> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!problems.attempt(() -> {
            Values.requireMap(node);
            return true;
        }, false)) {
            return out;
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> entry : node.map().entrySet()) {
            YamlNode value = entry.getValue();
            backends.read(entry.getKey(), value, node, stage).ifPresent(backend -> {
                if (value.map().containsKey("data")) {
                    dataLocations.put(backend.name() + "@" + stage, value.map().get("data").location());
                }
                for (String hostName : backend.hostNames()) {
                    String previous = aliases.putIfAbsent(hostName, backend.name());
                    if (previous != null) {
                        problems.add(value.location() + ": " + value.path() + " uses alias '" + hostName
                                + "', already taken by backend '" + previous + "' in stage '" + stage + "'");
                    }
                }
                out.add(backend);
            });
        }
        return out;
    }

    private String echo(YamlNode node) {
        if (node == null || node.isNull()) {
            return PipelineConfigLoader.DEFAULT_ECHO_IMAGE;
        }
        Values.requireMap(node);
        Schema.checkKeys(node, Schema.ECHO_KEYS, problems);
        return problems.attempt(() -> Values.optionalString(node, "image").isPresent() ? Values.image(node)
                : PipelineConfigLoader.DEFAULT_ECHO_IMAGE, PipelineConfigLoader.DEFAULT_ECHO_IMAGE);
    }

    /** {@code probes: {suppress: {version-disclosure: "reason"}}}; a known probe id, and every one needs its reason. */
    private Map<String, String> probeSuppressions(YamlNode node) {
        Map<String, String> suppressions = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return suppressions;
        }
        Values.requireMap(node);
        Schema.checkKeys(node, Schema.PROBES_KEYS, problems);
        YamlNode suppress = node.map().get("suppress");
        if (suppress == null || suppress.isNull()) {
            return suppressions;
        }
        Values.requireMap(suppress);
        suppress.map().forEach((probe, reason) -> problems.attempt(() -> {
            YamlNode where = reason == null ? suppress : reason;
            try {
                Probe.byId(probe);
            } catch (IllegalArgumentException e) {
                throw new ProxyStageException(where.location() + ": " + suppress.child(probe) + ": " + e.getMessage());
            }
            String text = reason == null || reason.isNull() ? "" : Values.scalar(reason);
            if (text.isBlank()) {
                throw new ProxyStageException(where.location() + ": " + suppress.child(probe)
                        + " needs a reason, e.g. " + probe + ": \"served by a vendor image\"");
            }
            suppressions.put(probe, text.strip());
        }));
        return suppressions;
    }

    private TlsSpec tls(YamlNode node) {
        if (node == null || node.isNull()) {
            return TlsSpec.DEFAULT;
        }
        Values.requireMap(node);
        Schema.checkKeys(node, Schema.TLS_KEYS, problems);
        TlsSpec.Generate generate = problems.attempt(() -> Values.optionalString(node, "generate").map(value -> switch (value) {
            case "auto" -> TlsSpec.Generate.AUTO;
            case "always" -> TlsSpec.Generate.ALWAYS;
            default -> throw Values.error(node.map().get("generate"), "must be 'auto' or 'always', got '" + value + "'");
        }).orElse(TlsSpec.Generate.AUTO), TlsSpec.Generate.AUTO);
        Map<String, String> testNames = new LinkedHashMap<>();
        YamlNode namesNode = node.map().get("testNames");
        if (namesNode != null && !namesNode.isNull()) {
            Values.requireMap(namesNode);
            namesNode.map().forEach((serverName, value) -> problems.attempt(() -> {
                if (value == null) {
                    throw new ProxyStageException(namesNode.location() + ": " + namesNode.child(serverName) + " needs a value");
                }
                testNames.put(serverName, Values.scalar(value));
            }));
        }
        List<Path> trust = new ArrayList<>();
        YamlNode trustNode = node.map().get("trust");
        if (trustNode != null && !trustNode.isNull()) {
            if (!trustNode.isList()) {
                throw Values.error(trustNode, "must be a list of PEM files");
            }
            for (YamlNode item : trustNode.list()) {
                problems.attempt(() -> {
                    Path pem = baseDir.resolve(Values.scalar(item)).normalize();
                    if (!Files.isRegularFile(pem)) {
                        throw Values.pathError(item, pem, "does not exist");
                    }
                    trust.add(pem);
                });
            }
        }
        return new TlsSpec(generate, testNames, trust);
    }
}
