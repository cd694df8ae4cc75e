package dev.proxystage.internal.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One stage as it will run: its nginx, its backends (with this stage's overrides applied) and the image that
 * runs the echo backend. Equal definitions describe the same environment, which is what lets test classes share it.
 *
 * @param name          the stage, e.g. {@code prep}
 * @param allStages     every stage in the pipeline, to recognise stage-suffixed host names
 * @param nginx         the proxy under test
 * @param backends      the stage's backends, in declaration order
 * @param echoImage     the JRE image that runs backends declared with {@code image: echo}
 * @param tls           how certificates are provided
 * @param probeSuppressions hardening probes switched off for this stage, by probe id, with the reason
 */
public record StageDefinition(String name, List<String> allStages, NginxSpec nginx, List<BackendSpec> backends,
                              String echoImage, TlsSpec tls, Map<String, String> probeSuppressions) {

    public StageDefinition {
        allStages = List.copyOf(allStages);
        backends = List.copyOf(backends);
        probeSuppressions = Collections.unmodifiableMap(new LinkedHashMap<>(probeSuppressions));
    }

    public Optional<BackendSpec> backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
