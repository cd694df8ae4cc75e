package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.util.Map;

/** A labelled user-defined bridge network with a chosen name, removed on close ({@link NetworkRemoval}). */
final class StageNetwork implements AutoCloseable {

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

    /** The network's gateway address (the engine host's side of the bridge), or null when the engine has none. */
    String gateway() {
        try {
            var ipam = docker.inspectNetworkCmd().withNetworkId(id).exec().getIpam();
            return ipam == null || ipam.getConfig() == null ? null : ipam.getConfig().stream()
                    .map(c -> c.getGateway()).filter(g -> g != null && !g.isBlank() && !g.contains(":"))
                    .findFirst().orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    public String getId() {
        return id;
    }

    /** Removes the network; gone already (a sweeper, a user) is fine. Rides out a moment of "active endpoints". */
    @Override
    public void close() {
        try {
            NetworkRemoval.remove(docker, id, name);
        } catch (NotFoundException alreadyGone) {
            // removed by someone else (a sweeper, a user): the goal is reached
        }
    }
}
