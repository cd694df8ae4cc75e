package dev.proxystage.internal.config;

import java.time.Duration;

/**
 * An HTTP health check: the backend is healthy once {@code GET path} answers 2xx or 3xx.
 *
 * @param path     the request path, e.g. {@code /alive}
 * @param timeout  how long the backend may take to become healthy
 */
public record HealthCheck(String path, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
}
