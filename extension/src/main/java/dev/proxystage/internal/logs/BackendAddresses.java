package dev.proxystage.internal.logs;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Which backend has which address on the stage network, so an upstream address nginx used can be named. */
public final class BackendAddresses {

    /** A backend: its name in pipeline.yml and the alias it is reached by. */
    public record Backend(String name, String alias) {
    }

    private final Map<String, Backend> byAddress = new ConcurrentHashMap<>();

    public void put(String ipAddress, String name, String alias) {
        byAddress.put(ipAddress, new Backend(name, alias));
    }

    /** The address of backend {@code name}. */
    public Optional<String> addressOf(String name) {
        return byAddress.entrySet().stream().filter(e -> e.getValue().name().equals(name))
                .map(Map.Entry::getKey).findFirst();
    }

    /** The backend behind {@code host:port} ({@code $upstream_addr}'s form). */
    public Optional<Backend> at(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        return colon <= 0 ? Optional.empty() : Optional.ofNullable(byAddress.get(hostAndPort.substring(0, colon)));
    }
}
