package dev.proxystage.internal.config;

import java.util.Map;
import java.util.Optional;

/**
 * A backend service of one stage.
 *
 * @param name       the backend's name in pipeline.yml; its container is {@code <name>-<stage>-<run id>}
 * @param alias      the host name it has on the stage's network, the same in every stage (defaults to the name)
 * @param image      the image, or {@link #ECHO} for ProxyStage's echo backend
 * @param port       the port it serves HTTP on inside the network
 * @param health     how to tell it is ready
 * @param data       where its data lives, if it keeps data
 * @param env        environment variables
 * @param command    the command to run instead of the image's default, if given
 * @param secretEnv  the env keys whose values came from {@code ${env:NAME}}: never printed
 * @param ports      every port it serves, the main {@code port} first (more than one only for an echo backend)
 * @param faults     whether ProxyStage's fault proxy stands in its path: the proxy takes {@code alias} on the stage
 *                   network, and the backend answers under {@link #originAlias()}
 */
public record BackendSpec(String name, String alias, String image, int port, HealthCheck health,
                          Optional<DataSpec> data, Map<String, String> env, java.util.List<String> command,
                          java.util.Set<String> secretEnv, java.util.List<Integer> ports, boolean faults) {

    /** How a secret value shows wherever ProxyStage prints something. */
    public static final String MASK = "****";

    /** The fault proxy takes a backend's alias; the backend itself answers under the alias with this suffix. */
    public static final String ORIGIN_SUFFIX = "--origin";

    /** The image value that selects ProxyStage's echo backend. */
    public static final String ECHO = "echo";

    public BackendSpec {
        env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
        command = java.util.List.copyOf(command);
        secretEnv = java.util.Set.copyOf(secretEnv);
        ports = java.util.List.copyOf(ports);
    }

    /** A backend without the fault proxy in its path. */
    public BackendSpec(String name, String alias, String image, int port, HealthCheck health, Optional<DataSpec> data,
                       Map<String, String> env, java.util.List<String> command, java.util.Set<String> secretEnv,
                       java.util.List<Integer> ports) {
        this(name, alias, image, port, health, data, env, command, secretEnv, ports, false);
    }

    /** The alias the backend itself answers under when the fault proxy has taken {@link #alias()}. */
    public String originAlias() {
        return alias + ORIGIN_SUFFIX;
    }

    /** The alias the backend's container holds on the stage network. */
    public String containerAlias() {
        return faults ? originAlias() : alias;
    }

    /** The container path of its data, if it keeps data. */
    public Optional<String> dataMount() {
        return data.map(DataSpec::mount);
    }

    public boolean isEcho() {
        return ECHO.equals(image);
    }

    /** The values of the secret env entries, to mask in anything printed. */
    public java.util.List<String> secretValues() {
        return secretEnv.stream().map(env::get).filter(v -> v != null && !v.isEmpty()).toList();
    }

    /** The env with secret values masked, for display. */
    public Map<String, String> maskedEnv() {
        Map<String, String> masked = new java.util.LinkedHashMap<>(env);
        secretEnv.forEach(key -> masked.computeIfPresent(key, (k, v) -> MASK));
        return masked;
    }

    @Override
    public String toString() {
        return "BackendSpec[name=" + name + ", alias=" + alias + ", image=" + image + ", port=" + port + ", ports=" + ports + ", health=" + health
                + ", data=" + data + ", env=" + maskedEnv() + ", command=" + command + (faults ? ", faults=true" : "") + "]";
    }
}
