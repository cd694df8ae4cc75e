package dev.proxystage.internal.nginx;

import dev.proxystage.ProxyStageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to parse, and how the container's paths map to host files.
 *
 * <p>nginx sees container paths ({@code /etc/nginx/conf.d/app.conf}); the user edits host files. Every container path
 * an include names is mapped back through the longest matching container directory: conf.d, the extra
 * {@code files} mappings (pipeline.yml {@code nginx.files}), or the main nginx.conf itself.
 *
 * @param prefix             nginx's configuration prefix in the container; relative includes resolve against it
 * @param confD              the host conf.d directory under test
 * @param confDContainerPath where conf.d is mounted in the container
 * @param mainConf           the host nginx.conf mounted at {@code prefix/nginx.conf}; when empty, the official image's
 *                           behaviour is assumed: every {@code conf.d/*.conf} inside an implicit {@code http}
 * @param files              extra container path to host path mappings, directories or single files
 */
public record ParseRequest(String prefix, Path confD, String confDContainerPath, Optional<Path> mainConf,
                           Map<String, Path> files) {

    public static final String DEFAULT_PREFIX = "/etc/nginx";
    public static final String DEFAULT_CONF_D = "/etc/nginx/conf.d";

    public ParseRequest {
        Objects.requireNonNull(confD, "confD");
        Objects.requireNonNull(mainConf, "mainConf");
        prefix = absolute(prefix, "the nginx prefix");
        confDContainerPath = absolute(confDContainerPath, "the conf.d container path");
        Map<String, Path> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            copy.put(absolute(e.getKey(), "nginx.files key"), Objects.requireNonNull(e.getValue(), e.getKey()));
        }
        files = Collections.unmodifiableMap(copy);
    }

    /** conf.d at {@code hostConfD}, everything else at the official image's defaults. */
    public static ParseRequest of(Path hostConfD) {
        return new ParseRequest(DEFAULT_PREFIX, hostConfD, DEFAULT_CONF_D, Optional.empty(), Map.of());
    }

    /** This request with a main nginx.conf (host path), mounted at {@code prefix/nginx.conf}. */
    public ParseRequest withMainConf(Path hostNginxConf) {
        return new ParseRequest(prefix, confD, confDContainerPath, Optional.of(hostNginxConf), files);
    }

    /** This request with the extra container directory to host directory mappings. */
    public ParseRequest withFiles(Map<String, Path> containerToHost) {
        return new ParseRequest(prefix, confD, confDContainerPath, mainConf, containerToHost);
    }

    /** This request with conf.d mounted at another container path. */
    public ParseRequest withConfDContainerPath(String containerPath) {
        return new ParseRequest(prefix, confD, containerPath, mainConf, files);
    }

    /** This request with another nginx prefix. */
    public ParseRequest withPrefix(String containerPrefix) {
        return new ParseRequest(containerPrefix, confD, confDContainerPath, mainConf, files);
    }

    /** Where nginx reads its main configuration in the container. */
    public String mainConfContainerPath() {
        return prefix.equals("/") ? "/nginx.conf" : prefix + "/nginx.conf";
    }

    /**
     * The host path behind a container path (relative paths resolve against the prefix, as nginx does), or empty
     * when no mapping covers it. The file need not exist.
     */
    public Optional<Path> hostPathOf(String containerPath) {
        String path = containerPath(containerPath);
        if (mainConf.isPresent() && path.equals(mainConfContainerPath())) {
            return mainConf;
        }
        String bestDir = null;
        Path bestHost = null;
        for (Map.Entry<String, Path> m : mappings().entrySet()) {
            String dir = m.getKey();
            if (isUnder(path, dir) && (bestDir == null || dir.length() > bestDir.length())) {
                bestDir = dir;
                bestHost = m.getValue();
            }
        }
        if (bestDir == null) {
            return Optional.empty();
        }
        String rest = path.length() == bestDir.length() ? "" : path.substring(bestDir.equals("/") ? 1 : bestDir.length() + 1);
        return Optional.of(rest.isEmpty() ? bestHost : bestHost.resolve(rest));
    }

    /** The container path nginx uses for {@code relativeOrAbsolute}: normalized, relative to the prefix. */
    public String containerPath(String relativeOrAbsolute) {
        String path = relativeOrAbsolute.startsWith("/") ? relativeOrAbsolute : prefix + "/" + relativeOrAbsolute;
        return normalize(path);
    }

    /** The container path of a host file read while parsing, if a mapping covers it (for messages). */
    Optional<String> containerPathOfHost(Path host) {
        Path abs = host.toAbsolutePath().normalize();
        if (mainConf.isPresent() && mainConf.get().toAbsolutePath().normalize().equals(abs)) {
            return Optional.of(mainConfContainerPath());
        }
        String best = null;
        int bestDepth = -1;
        for (Map.Entry<String, Path> m : mappings().entrySet()) {
            Path dir = m.getValue().toAbsolutePath().normalize();
            if (abs.startsWith(dir) && dir.getNameCount() > bestDepth) {
                bestDepth = dir.getNameCount();
                String rest = dir.relativize(abs).toString().replace('\\', '/');
                best = rest.isEmpty() ? m.getKey() : normalize(m.getKey() + "/" + rest);
            }
        }
        return Optional.ofNullable(best);
    }

    /** conf.d first, then the extra mappings: container directory to host directory. */
    Map<String, Path> mappings() {
        Map<String, Path> all = new LinkedHashMap<>();
        all.put(confDContainerPath, confD);
        all.putAll(files);
        return all;
    }

    static boolean isUnder(String path, String dir) {
        return dir.equals("/") || path.equals(dir) || path.startsWith(dir) && path.charAt(dir.length()) == '/';
    }

    /** Collapses {@code .}, {@code ..}, repeated and trailing slashes; container paths are always POSIX. */
    static String normalize(String absolute) {
        List<String> parts = new ArrayList<>();
        for (String part : absolute.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static String absolute(String path, String what) {
        Objects.requireNonNull(path, what);
        if (!path.startsWith("/")) {
            throw new ProxyStageException(what + " \"" + path + "\" must be an absolute container path");
        }
        return normalize(path);
    }
}
