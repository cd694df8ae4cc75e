package dev.proxystage.internal.tls;

import dev.proxystage.ProxyStageException;

import java.util.Objects;

/**
 * An nginx {@code server_name} value that cannot be turned into a certificate name or a test host name. The message
 * is one line without a file; the caller knows where the value came from and prefixes {@code file:line}.
 */
public final class ServerNameException extends ProxyStageException {

    private static final long serialVersionUID = 1L;

    private final String serverName;

    public ServerNameException(String serverName, String message) {
        super(message);
        this.serverName = Objects.requireNonNull(serverName, "serverName");
    }

    /** The {@code server_name} value as written in the configuration. */
    public String serverName() {
        return serverName;
    }
}
