package dev.proxystage.internal.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything a load of pipeline.yml depended on: the settings it ran with, the bytes of each file it read and the
 * environment variables its {@code ${env:NAME}} references took. A load is a function of these, so a JVM whose
 * {@link #digestNow} equals a recorded {@link #digest} would load the same definitions without reading any YAML.
 * Values are only hashed, never kept: a secret's value never reaches the record.
 *
 * @param digest      the hash of settings, files and environment values (hex)
 * @param files       the files read, in the order they were read (absolute)
 * @param environment the environment variables taken, sorted
 */
public record LoadSources(String digest, List<Path> files, List<String> environment) {

    public LoadSources {
        files = List.copyOf(files);
        environment = List.copyOf(environment);
    }

    /** What a load reads, as it reads it. */
    static final class Reading {
        private final Path config;
        private final Optional<String> profile;
        private final PipelineConfigLoader.Options options;
        private final Map<Path, byte[]> files = new LinkedHashMap<>();
        private final Map<String, String> environment = new TreeMap<>();

        Reading(Path config, Optional<String> profile, PipelineConfigLoader.Options options) {
            this.config = config;
            this.profile = profile;
            this.options = options;
        }

        void file(Path file, byte[] content) {
            files.put(file.toAbsolutePath().normalize(), content);
        }

        /** {@code value} null: the variable is not set (the load then fails, but the digest stays defined). */
        void environment(String name, String value) {
            environment.put(name, value);
        }

        LoadSources done() {
            return new LoadSources(digest(config, profile, options, files, environment), List.copyOf(files.keySet()),
                    List.copyOf(environment.keySet()));
        }
    }

    /**
     * The digest a load with {@code config}, {@code profile} and {@code options} would have now, reading this
     * record's files and environment variables as they are now; empty when a file cannot be read.
     */
    public Optional<String> digestNow(Path config, Optional<String> profile, PipelineConfigLoader.Options options) {
        Map<Path, byte[]> now = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                now.put(file, Files.readAllBytes(file));
            } catch (IOException gone) {
                return Optional.empty();
            }
        }
        Map<String, String> env = new TreeMap<>();
        environment.forEach(name -> env.put(name, System.getenv(name)));
        return Optional.of(digest(config, profile, options, now, env));
    }

    private static String digest(Path config, Optional<String> profile, PipelineConfigLoader.Options options,
                                 Map<Path, byte[]> files, Map<String, String> environment) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        update(digest, "config " + config.toAbsolutePath().normalize()
                + "\nprofile " + profile.map(String::strip).filter(p -> !p.isEmpty()).orElse("-")
                + "\npersistAll " + options.persistAll()
                + (options.faultsAll() ? "\nfaultsAll true" : "")
                + "\ndataRoot " + options.dataRoot().toAbsolutePath().normalize() + "\n");
        files.forEach((file, content) -> {
            update(digest, "file " + file + "\n" + content.length + "\n");
            digest.update(content);
        });
        // Length-prefixed, so no value can pass for another variable's line.
        environment.forEach((name, value) -> update(digest, "env " + name + (value == null ? " unset\n"
                : " " + value.length() + ":" + value + "\n")));
        return HexFormat.of().formatHex(digest.digest(), 0, 16);
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
    }
}
