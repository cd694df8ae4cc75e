package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.List;

/**
 * A {@code resolver} directive.
 *
 * @param addresses the name server addresses as written ({@code 127.0.0.11}, {@code [::1]:5353}), without the
 *                  {@code valid=}, {@code ipv6=} style parameters
 */
public record Resolver(List<String> addresses, Path file, int line) {

    public Resolver {
        addresses = List.copyOf(addresses);
    }
}
