package dev.proxystage.internal.nginx;

import java.nio.file.Path;

/**
 * A file a directive names, e.g. {@code ssl_certificate}.
 *
 * @param path the container path, resolved against the prefix when relative (values with variables or a
 *             {@code data:} prefix are kept as written)
 * @param file the host file of the directive
 * @param line the line of the directive
 */
public record FileRef(String path, Path file, int line) {
}
