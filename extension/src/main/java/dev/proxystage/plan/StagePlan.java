package dev.proxystage.plan;

import dev.proxystage.config.StageDefinition;
import java.util.Map;
import java.util.Set;
import org.testcontainers.images.builder.Transferable;

/**
 * Everything a stage needs before any container starts: its definition, the ports its conf.d listens on, and the
 * files to place in the nginx container. Preparing it checks the conf.d against the stage.
 *
 * @param definition  the stage
 * @param nginxPorts  the ports nginx listens on (published on loopback)
 * @param nginxFiles  extra files for the nginx container by absolute path
 */
public record StagePlan(StageDefinition definition, Set<Integer> nginxPorts, Map<String, Transferable> nginxFiles) {

    public StagePlan {
        nginxPorts = Set.copyOf(nginxPorts);
        nginxFiles = Map.copyOf(nginxFiles);
    }

    public static StagePlan prepare(StageDefinition definition) {
        return new StagePlan(definition, Set.of(80), Map.of());
    }
}
