package dev.proxystage.internal.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the Docker engine is, and where its published ports are: decided once, from the outside world as a
 * {@link World}, before anything connects. Pure: {@link #decide} reads nothing but its world, so every rule is a unit
 * test. The order is the one Testcontainers and the docker CLI follow: {@code tc.host}, {@code DOCKER_HOST},
 * {@code docker.host} (Testcontainers' settings: environment {@code TESTCONTAINERS_TC_HOST}/{@code _DOCKER_HOST} or
 * {@code ~/.testcontainers.properties}), the docker CLI's context ({@code DOCKER_CONTEXT} or {@code currentContext}),
 * then the local socket.
 *
 * @param dockerHost      the engine's address, e.g. {@code unix:///var/run/docker.sock}, {@code tcp://10.0.0.5:2376}
 * @param source          where that address came from, for messages ({@code DOCKER_HOST}, {@code default}, …)
 * @param publishedHost   the address ports are bound to on the engine's machine and reached on from this JVM
 * @param tlsCertificates the directory with {@code ca.pem}, {@code cert.pem} and {@code key.pem} when the engine is
 *                        reached over TLS
 */
public record EngineEndpoint(String dockerHost, String source, String publishedHost, Optional<Path> tlsCertificates) {

    static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";

    /** What the decision reads: environment, Testcontainers' user settings, files. */
    public interface World {

        Optional<String> env(String name);

        /** A key of {@code ~/.testcontainers.properties}. */
        Optional<String> testcontainersProperty(String key);

        Optional<String> readFile(Path file);

        boolean exists(Path path);

        Path home();

        /** This process's environment and this user's files. */
        static World system() {
            Path home = Path.of(System.getProperty("user.home"));
            Properties tc = new Properties();
            try (var reader = Files.newBufferedReader(home.resolve(".testcontainers.properties"), StandardCharsets.ISO_8859_1)) {
                tc.load(reader);
            } catch (IOException | RuntimeException absent) {
                // no user settings: nothing configured there
            }
            return new World() {
                @Override
                public Optional<String> env(String name) {
                    return Optional.ofNullable(System.getenv(name));
                }

                @Override
                public Optional<String> testcontainersProperty(String key) {
                    return Optional.ofNullable(tc.getProperty(key));
                }

                @Override
                public Optional<String> readFile(Path file) {
                    try {
                        return Optional.of(Files.readString(file));
                    } catch (IOException | RuntimeException e) {
                        return Optional.empty();
                    }
                }

                @Override
                public boolean exists(Path path) {
                    return Files.exists(path);
                }

                @Override
                public Path home() {
                    return home;
                }
            };
        }
    }

    /** A unix socket or named pipe is this machine's engine; a TCP address on loopback too. */
    public boolean local() {
        return isLocal(dockerHost);
    }

    @Override
    public String toString() {
        return dockerHost + " (" + source + ")";
    }

    /**
     * The engine {@code world} names. {@code publishHost} ({@code proxystage.publishHost}) wins for the published
     * host; else a local engine publishes on loopback and a remote one on its own address. Testcontainers'
     * {@code TESTCONTAINERS_HOST_OVERRIDE} changes nothing: it is where Testcontainers' containers are reached, and
     * a stage's are not Testcontainers'.
     */
    public static EngineEndpoint decide(World world, Optional<String> publishHost) {
        Optional<String> setting = publishHost.map(String::strip).filter(h -> !h.isEmpty());
        String host;
        String source;
        Optional<Path> tls;
        Optional<String> tcHost = testcontainers(world, "tc.host");
        Optional<String> envHost = nonBlank(world.env("DOCKER_HOST"));
        Optional<String> propertyHost = testcontainers(world, "docker.host");
        Optional<Context> context = Optional.empty();
        if (tcHost.isPresent()) {
            host = tcHost.get();
            source = "tc.host";
        } else if (envHost.isPresent()) {
            host = envHost.get();
            source = "DOCKER_HOST";
        } else if (propertyHost.isPresent()) {
            host = propertyHost.get();
            source = "docker.host in ~/.testcontainers.properties";
        } else if ((context = context(world)).isPresent()) {
            host = context.get().host();
            source = "docker context " + context.get().name();
        } else {
            host = localSocket(world);
            source = "default";
        }
        if (context.isPresent()) {
            tls = context.get().tls();
        } else {
            tls = isTcp(host) && truthy(world.env("DOCKER_TLS_VERIFY"))
                    ? Optional.of(nonBlank(world.env("DOCKER_CERT_PATH")).map(Path::of)
                            .orElse(dockerConfigDir(world)))
                    : Optional.empty();
        }
        return new EngineEndpoint(host, source, publishedHost(host, setting), tls);
    }

    /**
     * The published host for an engine at {@code dockerHost}: an explicit setting wins; a unix socket or named pipe
     * is loopback; {@code tcp://HOST:PORT} is HOST (as an address, since Docker binds to addresses).
     */
    static String publishedHost(String dockerHost, Optional<String> setting) {
        if (setting.isPresent()) {
            return setting.get();
        }
        if (isLocal(dockerHost)) {
            return "127.0.0.1";
        }
        return URI.create(dockerHost).getHost();
    }

    static boolean isLocal(String dockerHost) {
        URI uri = URI.create(dockerHost);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (scheme.equals("unix") || scheme.equals("npipe")) {
            return true;
        }
        String host = uri.getHost();
        return host == null || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    }

    private static boolean isTcp(String dockerHost) {
        String scheme = URI.create(dockerHost).getScheme();
        return scheme != null && List.of("tcp", "http", "https").contains(scheme);
    }

    /** A Testcontainers setting: its environment variable first, then {@code ~/.testcontainers.properties}. */
    private static Optional<String> testcontainers(World world, String key) {
        String variable = "TESTCONTAINERS_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
        return nonBlank(world.env(variable)).or(() -> nonBlank(world.testcontainersProperty(key)));
    }

    private record Context(String name, String host, Optional<Path> tls) {
    }

    /**
     * The docker CLI's current context when it is not {@code default}: {@code DOCKER_CONTEXT}, else
     * {@code currentContext} in config.json; its endpoint from {@code contexts/meta/<sha256 of the name>/meta.json},
     * its TLS files, when it has them, under {@code contexts/tls/<same>/docker}.
     */
    private static Optional<Context> context(World world) {
        Path config = dockerConfigDir(world);
        Optional<String> name = nonBlank(world.env("DOCKER_CONTEXT"))
                .or(() -> world.readFile(config.resolve("config.json")).flatMap(json -> text(json, "currentContext")));
        if (name.isEmpty() || name.get().equals("default")) {
            return Optional.empty();
        }
        String digest = sha256(name.get());
        Optional<String> host = world.readFile(config.resolve("contexts/meta").resolve(digest).resolve("meta.json"))
                .flatMap(json -> text(json, "Endpoints", "docker", "Host"));
        if (host.isEmpty()) {
            return Optional.empty();
        }
        Path tls = config.resolve("contexts/tls").resolve(digest).resolve("docker");
        return Optional.of(new Context(name.get(), host.get(),
                world.exists(tls.resolve("ca.pem")) ? Optional.of(tls) : Optional.empty()));
    }

    private static Path dockerConfigDir(World world) {
        return nonBlank(world.env("DOCKER_CONFIG")).map(Path::of).orElse(world.home().resolve(".docker"));
    }

    /** The system socket; where it is missing, a rootless or desktop engine's socket of this user that exists. */
    private static String localSocket(World world) {
        if (world.exists(Path.of("/var/run/docker.sock"))) {
            return DEFAULT_SOCKET;
        }
        List<Path> candidates = new java.util.ArrayList<>();
        nonBlank(world.env("XDG_RUNTIME_DIR")).ifPresent(dir -> candidates.add(Path.of(dir, "docker.sock")));
        candidates.add(world.home().resolve(".docker/run/docker.sock"));
        candidates.add(world.home().resolve(".docker/desktop/docker.sock"));
        return candidates.stream().filter(world::exists).findFirst()
                .map(socket -> "unix://" + socket)
                .orElse(DEFAULT_SOCKET);
    }

    private static Optional<String> text(String json, String... path) {
        try {
            JsonNode node = new ObjectMapper().readTree(new StringReader(json));
            for (String key : path) {
                node = node == null ? null : node.get(key);
            }
            return node == null || !node.isTextual() ? Optional.empty() : nonBlank(Optional.of(node.asText()));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean truthy(Optional<String> value) {
        return value.map(String::strip).map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(false);
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::strip).filter(v -> !v.isEmpty());
    }
}
