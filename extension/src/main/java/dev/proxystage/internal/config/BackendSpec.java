package dev.proxystage.internal.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
 * @param aliases    more host names it has on the stage's network (a compose service's name and network aliases),
 *                   besides {@code alias}
 * @param entrypoint the entrypoint to run instead of the image's, if given
 * @param faults     whether ProxyStage's fault proxy stands in its path: the proxy takes {@code alias} (and
 *                   {@code aliases}) on the stage network, and the backend answers under {@link #originAlias()}
 */
public record BackendSpec(String name, String alias, String image, int port, HealthCheck health,
                          Optional<DataSpec> data, Map<String, String> env, List<String> command,
                          Set<String> secretEnv, List<Integer> ports,
                          List<String> aliases, List<String> entrypoint, boolean faults) {

    /** How a secret value shows wherever ProxyStage prints something. */
    public static final String MASK = "****";

    /** The fault proxy takes a backend's alias; the backend itself answers under the alias with this suffix. */
    public static final String ORIGIN_SUFFIX = "--origin";

    /** The image value that selects ProxyStage's echo backend. */
    public static final String ECHO = "echo";

    public BackendSpec {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        command = List.copyOf(command);
        secretEnv = Set.copyOf(secretEnv);
        ports = List.copyOf(ports);
        aliases = List.copyOf(aliases);
        entrypoint = List.copyOf(entrypoint);
    }

    /** As before aliases and entrypoint were known: no more host names, the image's entrypoint, no fault proxy. */
    public BackendSpec(String name, String alias, String image, int port, HealthCheck health, Optional<DataSpec> data,
                       Map<String, String> env, List<String> command, Set<String> secretEnv,
                       List<Integer> ports) {
        this(name, alias, image, port, health, data, env, command, secretEnv, ports, List.of(),
                List.of(), false);
    }

    /** A backend without the fault proxy in its path. */
    public BackendSpec(String name, String alias, String image, int port, HealthCheck health, Optional<DataSpec> data,
                       Map<String, String> env, List<String> command, Set<String> secretEnv,
                       List<Integer> ports, List<String> aliases, List<String> entrypoint) {
        this(name, alias, image, port, health, data, env, command, secretEnv, ports, aliases, entrypoint, false);
    }

    /** Every host name it has on the stage's network: {@code alias} first, then {@code aliases}. */
    public List<String> hostNames() {
        List<String> all = new ArrayList<>(List.of(alias));
        aliases.stream().filter(a -> !all.contains(a)).forEach(all::add);
        return all;
    }

    /** The alias the backend itself answers under when the fault proxy has taken {@link #alias()}. */
    public String originAlias() {
        return alias + ORIGIN_SUFFIX;
    }

    /** The alias the backend's container holds on the stage network (and its host name). */
    public String containerAlias() {
        return faults ? originAlias() : alias;
    }

    /** The host names the backend's container holds on the stage network: its origin alias behind the fault proxy. */
    public List<String> containerHostNames() {
        return faults ? List.of(originAlias()) : hostNames();
    }

    /** The container path of its data, if it keeps data. */
    public Optional<String> dataMount() {
        return data.map(DataSpec::mount);
    }

    public boolean isEcho() {
        return ECHO.equals(image);
    }

    /** The values of the secret env entries, to mask in anything printed. */
    public List<String> secretValues() {
        return secretEnv.stream().map(env::get).filter(v -> v != null && !v.isEmpty()).toList();
    }

    /** The env with secret values masked, for display. */
    public Map<String, String> maskedEnv() {
        Map<String, String> masked = new LinkedHashMap<>(env);
        secretEnv.forEach(key -> masked.computeIfPresent(key, (k, v) -> MASK));
        return masked;
    }

    @Override
    public String toString() {
        return "BackendSpec[name=" + name + ", alias=" + alias + ", image=" + image + ", port=" + port + ", ports=" + ports + ", health=" + health
                + ", data=" + data + ", env=" + maskedEnv() + ", command=" + command
                + (aliases.isEmpty() ? "" : ", aliases=" + aliases) + (entrypoint.isEmpty() ? "" : ", entrypoint=" + entrypoint)
                + (faults ? ", faults=true" : "") + "]";
    }
}
