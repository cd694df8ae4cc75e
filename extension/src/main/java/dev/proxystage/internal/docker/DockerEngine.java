package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.EngineUnavailableException;
import org.testcontainers.DockerClientFactory;

/** The Docker engine, as Testcontainers finds it (DOCKER_HOST, ~/.testcontainers.properties, the local socket). */
public final class DockerEngine {

    private DockerEngine() {
    }

    public static boolean isAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** The client, or a one-line error when no engine answers. */
    public static DockerClient client() {
        if (!isAvailable()) {
            throw new EngineUnavailableException("no Docker engine answers (checked DOCKER_HOST, ~/.testcontainers.properties and "
                    + "/var/run/docker.sock); start one, or pass -Dproxystage.skipWithoutDocker=true to skip stage tests without Docker");
        }
        return DockerClientFactory.instance().client();
    }

    /** The address that published ports are reached on: loopback for a local engine. */
    public static String publishedHost() {
        String host = DockerClientFactory.instance().dockerHostIpAddress();
        return host == null || host.equals("localhost") ? "127.0.0.1" : host;
    }
}
