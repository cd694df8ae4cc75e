package dev.proxystage.internal.plan;

import dev.proxystage.internal.config.LoadSources;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What a published stage's {@code up} records so that a test JVM can tell, reading no YAML and parsing no conf.d,
 * that it wants the stage {@code up} serves: what pipeline.yml's load read, and the host files nginx reads. Equal
 * load sources give the same definition; equal nginx files give the same {@link Fingerprint#files()}. Anything that
 * differs sends the JVM the full way (load, check, fingerprint), which says exactly what differs.
 *
 * @param sources    what up's load of pipeline.yml read
 * @param confDir    the definition's conf.d
 * @param nginxFiles its {@code nginx.files}, container path to host path
 * @param mainConfig its main nginx.conf, if any
 * @param trust      the extra certificates its client trusts ({@code tls.trust})
 */
public record AttachInputs(LoadSources sources, Path confDir, Map<String, Path> nginxFiles,
                           Optional<Path> mainConfig, List<Path> trust) {

    private static final String PREFIX = "inputs.";

    public AttachInputs {
        nginxFiles = Map.copyOf(nginxFiles);
        trust = List.copyOf(trust);
    }

    public static AttachInputs of(StageDefinition definition, LoadSources sources) {
        return new AttachInputs(sources, definition.nginx().confDir(), definition.nginx().files(),
                definition.nginx().mainConfig(), definition.tls().trust());
    }

    /**
     * What a test JVM wants: {@code stage} of the pipeline {@code config}, loaded with {@code profile} and
     * {@code options}.
     */
    public record Wanted(String stage, Path config, Optional<String> profile, PipelineConfigLoader.Options options) {
    }

    /** Why {@code wanted} is not this stage as it now serves {@code current}; empty when it is. */
    public Optional<String> mismatch(Wanted wanted, Fingerprint current) {
        if (!sources.digestNow(wanted.config(), wanted.profile(), wanted.options()).map(sources.digest()::equals).orElse(false)) {
            return Optional.of("pipeline.yml, its overlay, the settings or the environment differ from its up's");
        }
        if (!Fingerprint.filesHash(confDir, nginxFiles, mainConfig).equals(current.files())) {
            return Optional.of("its conf.d differs");
        }
        return Optional.empty();
    }

    public void putInto(Properties p) {
        p.setProperty(PREFIX + "digest", sources.digest());
        indexed(p, "file", sources.files().stream().map(Path::toString).toList());
        indexed(p, "env", sources.environment());
        p.setProperty(PREFIX + "confDir", confDir.toAbsolutePath().normalize().toString());
        List<String> files = new ArrayList<>();
        nginxFiles.forEach((container, host) -> files.add(container + "=" + host.toAbsolutePath().normalize()));
        indexed(p, "nginxFile", files.stream().sorted().toList());
        mainConfig.ifPresent(main -> p.setProperty(PREFIX + "mainConfig", main.toAbsolutePath().normalize().toString()));
        indexed(p, "trust", trust.stream().map(t -> t.toAbsolutePath().normalize().toString()).toList());
    }

    /** The inputs in {@code p}; empty when there are none or they are incomplete (the full way is taken then). */
    public static Optional<AttachInputs> from(Properties p) {
        try {
            return read(p);
        } catch (IllegalArgumentException incomplete) {
            return Optional.empty();
        }
    }

    private static Optional<AttachInputs> read(Properties p) {
        String digest = p.getProperty(PREFIX + "digest");
        String confDir = p.getProperty(PREFIX + "confDir");
        if (digest == null || confDir == null) {
            return Optional.empty();
        }
        Map<String, Path> nginxFiles = new LinkedHashMap<>();
        for (String pair : indexed(p, "nginxFile")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            nginxFiles.put(pair.substring(0, eq), Path.of(pair.substring(eq + 1)));
        }
        List<Path> files = indexed(p, "file").stream().map(Path::of).toList();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AttachInputs(new LoadSources(digest, files, indexed(p, "env")), Path.of(confDir),
                nginxFiles, Optional.ofNullable(p.getProperty(PREFIX + "mainConfig")).map(Path::of),
                indexed(p, "trust").stream().map(Path::of).toList()));
    }

    /** Lists as numbered keys: paths may hold any character but a line break. */
    private static void indexed(Properties p, String key, List<String> values) {
        p.setProperty(PREFIX + key + ".count", Integer.toString(values.size()));
        for (int i = 0; i < values.size(); i++) {
            p.setProperty(PREFIX + key + "." + i, values.get(i));
        }
    }

    private static List<String> indexed(Properties p, String key) {
        int count = Integer.parseInt(p.getProperty(PREFIX + key + ".count", "0"));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = p.getProperty(PREFIX + key + "." + i);
            if (value == null) {
                throw new IllegalArgumentException("no " + PREFIX + key + "." + i);
            }
            values.add(value);
        }
        return values;
    }
}
