package dev.proxystage.internal.plan;

import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.config.StageDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a running stage is, as far as a test that attaches to it cares: a hash of the effective definition (profile
 * and stage overrides applied) and a hash of every host file nginx reads (conf.d, {@code nginx.files}, the main
 * nginx.conf). Two hashes, so a refusal can say which one differs. Stable across JVMs: maps and sets are hashed in
 * sorted order, never in their iteration order.
 *
 * @param definition the effective definition's hash (hex)
 * @param files      the nginx files' hash (hex)
 */
public record Fingerprint(String definition, String files) {

    /** The file beside the CA certificate where a published stage keeps its current fingerprint. */
    public static final String FILE = "fingerprint";

    public static Fingerprint of(StageDefinition definition) {
        NginxSpec nginx = definition.nginx();
        MessageDigest def = sha256();
        def.update(canonical(definition).getBytes(StandardCharsets.UTF_8));
        return new Fingerprint(hex(def), filesHash(nginx.confDir(), nginx.files(), nginx.mainConfig()));
    }

    /** The hash of the host files nginx reads: conf.d, {@code nginx.files} (container path to host path), the main config. */
    public static String filesHash(Path confDir, Map<String, Path> nginxFiles, Optional<Path> mainConfig) {
        MessageDigest files = sha256();
        hashTree(files, "conf.d", confDir);
        new TreeMap<>(nginxFiles).forEach((containerPath, host) -> hashTree(files, containerPath, host));
        mainConfig.ifPresent(main -> hashTree(files, NginxSpec.MAIN_CONFIG, main));
        return hex(files);
    }

    /** As a label value: {@code <definition>-<files>}. */
    public String value() {
        return definition + "-" + files;
    }

    public static Optional<Fingerprint> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = value.strip().split("-");
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()
                ? Optional.of(new Fingerprint(parts[0], parts[1])) : Optional.empty();
    }

    /** What differs between this (the wanted stage) and {@code running}; empty when they match. */
    public Optional<String> difference(Fingerprint running) {
        if (!definition.equals(running.definition)) {
            return Optional.of("its definition differs (fingerprint " + running.value() + ", wanted " + value() + ")");
        }
        if (!files.equals(running.files)) {
            return Optional.of("its conf.d differs (fingerprint " + running.value() + ", wanted " + value() + ")");
        }
        return Optional.empty();
    }

    /** Writes the current fingerprint into {@code directory} at once (readers never see half a file). */
    public void writeTo(Path directory) {
        try {
            Path temp = Files.createTempFile(directory, FILE, ".tmp");
            Files.writeString(temp, value() + "\n");
            Files.move(temp, directory.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ProxyStageException("cannot write " + directory.resolve(FILE) + ": " + e.getMessage());
        }
    }

    /** The fingerprint a published stage keeps in {@code directory}, if it is there and readable. */
    public static Optional<Fingerprint> readFrom(Path directory) {
        try {
            return parse(Files.readString(directory.resolve(FILE)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void hashTree(MessageDigest digest, String name, Path root) {
        if (!Files.exists(root)) {
            digest.update(("missing " + name + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                digest.update((name + "/" + relative + "\n").getBytes(StandardCharsets.UTF_8));
                byte[] content = Files.readAllBytes(file);
                digest.update((content.length + "\n").getBytes(StandardCharsets.UTF_8));
                digest.update(content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root + " for its fingerprint: " + e.getMessage(), e);
        }
    }

    /** A text form of {@code value} that depends only on its content: records by component, maps and sets sorted. */
    static String canonical(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Record record) {
            StringBuilder out = new StringBuilder(record.getClass().getSimpleName()).append('(');
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                try {
                    out.append(component.getName()).append('=')
                            .append(canonical(component.getAccessor().invoke(record))).append(';');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + component + ": " + e, e);
                }
            }
            return out.append(')').toString();
        }
        if (value instanceof Optional<?> optional) {
            return optional.map(v -> "some(" + canonical(v) + ")").orElse("none");
        }
        if (value instanceof Map<?, ?> map) {
            TreeMap<String, String> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(canonical(k), canonical(v)));
            return "map" + sorted;
        }
        if (value instanceof Set<?> set) {
            List<String> sorted = new ArrayList<>(set.stream().map(Fingerprint::canonical).toList());
            sorted.sort(null);
            return "set" + sorted;
        }
        if (value instanceof Collection<?> list) {
            return "list" + list.stream().map(Fingerprint::canonical).toList();
        }
        if (value instanceof Path path) {
            return "path(" + path.toAbsolutePath().normalize() + ")";
        }
        return value.getClass().getSimpleName() + "(" + value + ")";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest(), 0, 8);
    }
}
