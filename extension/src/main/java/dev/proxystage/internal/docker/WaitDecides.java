package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

/**
 * Leaves the start to ProxyStage's own wait, which notices a container that exits and reports its exit code and last
 * log lines. Testcontainers' default check would fail a container that exits at once (nginx -t refusing the
 * conf.d within milliseconds) and remove it before its output could be read.
 */
final class WaitDecides extends StartupCheckStrategy {

    @Override
    public StartupStatus checkStartupState(DockerClient docker, String containerId) {
        return StartupStatus.SUCCESSFUL;
    }
}
