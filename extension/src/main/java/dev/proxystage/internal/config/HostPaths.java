package dev.proxystage.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Which host directories a backend's {@code data.hostPath} may bind-mount. A mount hands the container the directory
 * and everything under it, so it is refused when it is, holds or lies in one of the host's own trees:
 * <ul>
 *   <li>{@code /} and the directories of programs and homes as a whole ({@code /usr}, {@code /bin}, {@code /lib},
 *       {@code /root}, {@code /home}, {@code /var}, the user's home, …): only the directory itself, since a project
 *       directory below some of them is ordinary;</li>
 *   <li>the kernel's, the devices', the system's configuration and runtime state, and the engine's own storage
 *       ({@code /proc}, {@code /sys}, {@code /dev}, {@code /etc}, {@code /boot}, {@code /run}, {@code /var/run},
 *       {@code /var/lib/docker}, …) and the user's key and credential directories: the directory and everything
 *       under it, and every directory that holds one of them;</li>
 *   <li>the engine's socket (from {@code DOCKER_HOST}, Testcontainers' properties, or the usual places) and every
 *       directory that holds it: whoever reaches the socket commands the engine.</li>
 * </ul>
 * Paths are judged as written (normalized, so {@code ..} is gone) and as they resolve through symlinks, the part that
 * exists resolved with {@link Path#toRealPath}.
 */
final class HostPaths {

    private static final List<String> WHOLE = List.of("/", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
            "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libexec", "/usr/local",
            "/usr/local/bin", "/usr/local/sbin", "/usr/share", "/root", "/home", "/var", "/var/lib", "/opt", "/srv",
            "/mnt", "/media", "/snap");
    private static final List<String> TREES = List.of("/proc", "/sys", "/dev", "/etc", "/boot", "/run", "/var/run",
            "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/lib/kubelet", "/lost+found");
    /** Under the user's home: keys and engine credentials. */
    private static final List<String> HOME_TREES = List.of(".ssh", ".gnupg", ".docker", ".aws", ".kube");

    private static final String SYSTEM = "a system directory";
    private static final String KEYS = "a directory of keys and credentials";

    private final Set<Path> whole;
    /** Each protected tree, with what it is, for the message. */
    private final Map<Path, String> trees;
    private final Set<Path> sockets;

    HostPaths(Path home, List<Path> sockets) {
        this.whole = new LinkedHashSet<>();
        WHOLE.forEach(p -> whole.add(Path.of(p)));
        whole.add(home.toAbsolutePath().normalize());
        this.trees = new LinkedHashMap<>();
        TREES.forEach(p -> trees.put(Path.of(p), SYSTEM));
        HOME_TREES.forEach(p -> trees.put(home.toAbsolutePath().normalize().resolve(p), KEYS));
        this.sockets = new LinkedHashSet<>();
        for (Path socket : sockets) {
            Path absolute = socket.toAbsolutePath().normalize();
            this.sockets.add(absolute);
            this.sockets.add(resolved(absolute));
        }
        // The same directories as the symlinks of a merged /usr or /var/run see them.
        for (Path p : List.copyOf(whole)) {
            whole.add(resolved(p));
        }
        new LinkedHashMap<>(trees).forEach((p, what) -> trees.putIfAbsent(resolved(p), what));
    }

    /** This host: the user's home and every place the engine's socket is known to be. */
    static HostPaths ofThisHost() {
        return new HostPaths(Path.of(System.getProperty("user.home")), engineSockets(System.getenv(),
                Path.of(System.getProperty("user.home"))));
    }

    /**
     * Where an engine's socket may be: {@code DOCKER_HOST} and Testcontainers' {@code docker.host}/{@code tc.host}
     * when they name a unix socket, the rootful and rootless defaults, and Docker Desktop's and Podman's places.
     */
    static List<Path> engineSockets(Map<String, String> env, Path home) {
        List<Path> sockets = new ArrayList<>();
        unixSocket(env.get("DOCKER_HOST")).ifPresent(sockets::add);
        Path properties = home.resolve(".testcontainers.properties");
        if (Files.isRegularFile(properties)) {
            Properties tc = new Properties();
            try (InputStream in = Files.newInputStream(properties)) {
                tc.load(in);
                unixSocket(tc.getProperty("docker.host")).ifPresent(sockets::add);
                unixSocket(tc.getProperty("tc.host")).ifPresent(sockets::add);
            } catch (IOException | IllegalArgumentException e) {
                // An unreadable file names no socket; the defaults below still hold.
            }
        }
        sockets.add(Path.of("/var/run/docker.sock"));
        sockets.add(Path.of("/run/docker.sock"));
        sockets.add(Path.of("/run/podman/podman.sock"));
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && runtime.startsWith("/")) {
            sockets.add(Path.of(runtime, "docker.sock"));
            sockets.add(Path.of(runtime, "podman", "podman.sock"));
        }
        sockets.add(home.resolve(".docker/run/docker.sock"));
        sockets.add(home.resolve(".docker/desktop/docker.sock"));
        return sockets;
    }

    private static Optional<Path> unixSocket(String address) {
        if (address == null || !address.strip().startsWith("unix://")) {
            return Optional.empty();
        }
        try {
            String path = URI.create(address.strip()).getPath();
            return path == null || !path.startsWith("/") ? Optional.empty() : Optional.of(Path.of(path));
        } catch (IllegalArgumentException e) {
            String path = address.strip().substring("unix://".length());
            return path.startsWith("/") ? Optional.of(Path.of(path)) : Optional.empty();
        }
    }

    /**
     * Why {@code dir} (absolute and normalized) must not be mounted, or empty when it may: one sentence that names the
     * directory that decides it and, when symlinks lead elsewhere, where {@code dir} resolves.
     */
    Optional<String> refusal(Path dir) {
        Path real = resolved(dir);
        Optional<String> why = judge(dir);
        if (why.isEmpty() && !real.equals(dir)) {
            why = judge(real).map(reason -> "resolves to " + real + ", which " + reason);
        }
        return why.map(reason -> reason + "; a stage never mounts the host's system directories or the engine's socket");
    }

    /** What {@code dir} is comes before what it holds: {@code /var/run} is a system directory that holds the socket. */
    private Optional<String> judge(Path dir) {
        if (dir.getNameCount() == 0) {
            return Optional.of("is the host's root directory");
        }
        if (sockets.contains(dir)) {
            return Optional.of("is the container engine's socket");
        }
        for (Map.Entry<Path, String> tree : trees.entrySet()) {
            if (dir.startsWith(tree.getKey())) {
                return Optional.of(dir.equals(tree.getKey()) ? "is " + tree.getValue()
                        : "is inside " + tree.getKey() + ", " + tree.getValue());
            }
        }
        if (whole.contains(dir)) {
            return Optional.of("is " + SYSTEM);
        }
        for (Path socket : sockets) {
            if (socket.startsWith(dir)) {
                return Optional.of("holds the container engine's socket " + socket);
            }
        }
        for (Map.Entry<Path, String> tree : trees.entrySet()) {
            if (tree.getKey().startsWith(dir)) {
                return Optional.of("holds " + tree.getKey() + ", " + tree.getValue());
            }
        }
        return Optional.empty();
    }

    /** {@code path} through symlinks: the longest part that exists, resolved, with the rest appended. */
    static Path resolved(Path path) {
        Path existing = path;
        Path rest = null;
        while (existing != null) {
            try {
                Path real = existing.toRealPath();
                return rest == null ? real : real.resolve(rest).normalize();
            } catch (IOException | SecurityException e) {
                Path name = existing.getFileName();
                if (name == null) {
                    return path;
                }
                rest = rest == null ? name : name.resolve(rest);
                existing = existing.getParent();
            }
        }
        return path;
    }
}
