package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.util.Map;
import org.testcontainers.containers.Network;

/** A labelled user-defined bridge network with a chosen name, removed on close. */
final class StageNetwork implements Network {

    private final DockerClient docker;
    private final String name;
    private final String id;

    StageNetwork(DockerClient docker, String name, Map<String, String> labels) {
        this.docker = docker;
        this.name = name;
        this.id = docker.createNetworkCmd()
                .withName(name)
                .withDriver("bridge")
                .withLabels(labels)
                .withCheckDuplicate(true)
                .exec()
                .getId();
    }

    String name() {
        return name;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public void close() {
        try {
            docker.removeNetworkCmd(id).exec();
        } catch (NotFoundException alreadyGone) {
            // removed by someone else (a sweeper, a user): the goal is reached
        }
    }
}
