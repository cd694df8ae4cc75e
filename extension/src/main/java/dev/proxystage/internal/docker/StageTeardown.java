package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Takes a stage down in reverse order of its start: nginx, then the backends, then the network, then the volumes.
 * Containers are removed by force (one kill-and-remove call each, in parallel) rather than stopped first: nothing
 * of a test stage's containers needs a graceful stop, and a stop waits.
 */
final class StageTeardown {

    /** Removals at once: the engine serialises much of each, so more only queue. */
    static final int PARALLELISM = 8;

    private final DockerClient docker;
    private final List<String> problems = new ArrayList<>();

    StageTeardown(DockerClient docker) {
        this.docker = docker;
    }

    /** Removes the containers with these ids (and their anonymous volumes), in parallel. */
    void removeContainers(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, ids.size()), r -> {
            Thread thread = new Thread(r, "proxystage-teardown");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletableFuture.allOf(ids.stream()
                    .map(id -> CompletableFuture.runAsync(() -> attempt("remove container " + id, () ->
                            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec()), pool))
                    .toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }
    }

    void removeNetwork(StageNetwork network) {
        attempt("remove network " + network.name(), network::close);
    }

    void removeVolumes(List<String> volumes) {
        for (String volume : volumes) {
            attempt("remove volume " + volume, () -> docker.removeVolumeCmd(volume).exec());
        }
    }

    /** What could not be removed, one entry each; empty when everything went. */
    List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    private void attempt(String what, Runnable action) {
        try {
            action.run();
        } catch (NotFoundException alreadyGone) {
            // removed by someone else (a sweeper, a user): the goal is reached
        } catch (RuntimeException e) {
            synchronized (problems) {
                problems.add(what + ": " + e.getMessage());
            }
        }
    }
}
