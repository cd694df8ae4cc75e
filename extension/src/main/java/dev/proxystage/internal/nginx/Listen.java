package dev.proxystage.internal.nginx;

import java.nio.file.Path;

/**
 * One {@code listen} of a server block. A server without any {@code listen} gets an implicit {@code *:80}, located at
 * the server block.
 *
 * @param address       the address part: {@code *} when none was given, {@code [::]} style for IPv6
 * @param port          the TCP port
 * @param ssl           {@code ssl} parameter present
 * @param defaultServer {@code default_server} (or the old {@code default}) parameter present
 */
public record Listen(String address, int port, boolean ssl, boolean defaultServer, Path file, int line) {

    /** Whether it listens on nginx's loopback only: nothing outside the nginx container reaches it. */
    public boolean loopback() {
        return Readiness.isLoopback(address);
    }
}
