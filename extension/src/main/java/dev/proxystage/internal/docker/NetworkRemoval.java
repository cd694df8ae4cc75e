package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a network whose containers were just force-removed. Docker 20.10 may refuse for a moment with "error while
 * removing network: network … has active endpoints": the removed containers' endpoints outlive them under load. This
 * retries a few times with a short backoff ({@link #BACKOFF_MS}, about 3 s in all), force-disconnecting before each
 * retry any endpoint whose container is gone or going, then gives up with one line naming the network. Endpoints of
 * containers that still run (a user's own container attached to the stage network) are never disconnected.
 */
final class NetworkRemoval {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkRemoval.class);

    /** The waits before each retry, in ms: short first (the usual case clears at once), about 3 s in all. */
    static final long[] BACKOFF_MS = {50, 100, 200, 400, 800, 1500};

    /**
     * The sweeper's: one retry at once after the stale endpoints are disconnected. A network left by a run that died
     * long ago gains nothing from waiting; an endpoint the engine lists on no container only goes with the engine's
     * restart, and every test run's first stage would pay the wait.
     */
    static final long[] SWEEP_BACKOFF_MS = {0};

    /** What a network removal needs of the engine. */
    interface Engine {

        /** Removes the network; throws {@link NotFoundException} when it is gone already. */
        void remove();

        /** The endpoints the engine still lists on the network. */
        List<Endpoint> endpoints();

        /** {@code docker network disconnect --force} for this endpoint. */
        void forceDisconnect(Endpoint endpoint);
    }

    /** An endpoint on the network; {@code stale} when its container no longer exists or is being removed. */
    record Endpoint(String id, String name, boolean stale) {

        String label() {
            return name == null || name.isBlank() ? id : name;
        }
    }

    /** Waits between attempts; a test passes one that only records. */
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private NetworkRemoval() {
    }

    /** True when the engine refused because endpoints remain: the one refusal worth a retry. */
    static boolean activeEndpoints(RuntimeException e) {
        return e.getMessage() != null && e.getMessage().contains("active endpoints");
    }

    /** The wait before retry number {@code retry} (0-based), or -1 when the retries are spent. */
    static long backoff(int retry) {
        return backoff(BACKOFF_MS, retry);
    }

    private static long backoff(long[] waits, int retry) {
        return retry < waits.length ? waits[retry] : -1;
    }

    /** The endpoints to force-disconnect before a retry: the stale ones only. */
    static List<Endpoint> toDisconnect(List<Endpoint> endpoints) {
        return endpoints.stream().filter(Endpoint::stale).toList();
    }

    /** Removes network {@code id} ({@code name} for messages) through the engine's API. */
    static void remove(DockerClient docker, String id, String name) {
        remove(name, onEngine(docker, id), Thread::sleep);
    }

    /** As the sweeper removes a leftover network: {@link #SWEEP_BACKOFF_MS}. */
    static void removeLeftover(DockerClient docker, String id, String name) {
        remove(name, onEngine(docker, id), Thread::sleep, SWEEP_BACKOFF_MS);
    }

    /**
     * Removes the network, retrying while it has active endpoints. Throws an {@link IllegalStateException} with one
     * line naming the network and what remains when the retries are spent, and rethrows any other refusal at once
     * (a {@link NotFoundException} too: whether gone already is fine is the caller's call).
     */
    static void remove(String name, Engine engine, Pause pause) {
        remove(name, engine, pause, BACKOFF_MS);
    }

    static void remove(String name, Engine engine, Pause pause, long[] waits) {
        Objects.requireNonNull(name, "name");
        List<Endpoint> left = List.of();
        for (int retry = 0; ; retry++) {
            try {
                engine.remove();
                if (retry > 0) {
                    LOG.debug("removed network {} at retry {}", name, retry);
                }
                return;
            } catch (RuntimeException e) {
                if (e instanceof NotFoundException || !activeEndpoints(e)) {
                    throw e;
                }
                long wait = backoff(waits, retry);
                if (wait < 0) {
                    throw spent(name, engine, left, retry, waits);
                }
                try {
                    pause.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("network " + name + ": interrupted while waiting to remove it", e);
                }
                left = endpoints(engine);
                for (Endpoint stale : toDisconnect(left)) {
                    try {
                        engine.forceDisconnect(stale);
                    } catch (NotFoundException gone) {
                        // it went by itself meanwhile
                    } catch (RuntimeException other) {
                        LOG.debug("network {}: could not force-disconnect {}: {}", name, stale.label(), other.getMessage());
                    }
                }
            }
        }
    }

    static long totalBackoffMillis() {
        return total(BACKOFF_MS);
    }

    private static long total(long[] waits) {
        long total = 0;
        for (long ms : waits) {
            total += ms;
        }
        return total;
    }

    private static IllegalStateException spent(String name, Engine engine, List<Endpoint> left, int retries, long[] waits) {
        String head = "network " + name + " still has active endpoints after " + retries + " retries over " + total(waits) + " ms";
        List<Endpoint> now;
        try {
            now = engine.endpoints();
        } catch (RuntimeException e) {
            now = left;
        }
        if (now.isEmpty()) {
            // Seen on Docker 20.10: its count of endpoints keeps one that no container or name has any more, so no
            // disconnect reaches it; a restart of the engine recounts.
            return new IllegalStateException(head + ", but the engine lists none on it: Docker 20.10 can lose count of an"
                    + " endpoint when many containers leave a network at once, and only restarting the engine lets the"
                    + " network go (then: docker network rm " + name + ")");
        }
        return new IllegalStateException(head + " (" + String.join(", ", now.stream().map(Endpoint::label).toList())
                + "); remove it with: docker network rm " + name);
    }

    private static List<Endpoint> endpoints(Engine engine) {
        try {
            return engine.endpoints();
        } catch (NotFoundException gone) {
            return List.of();
        } catch (RuntimeException e) {
            // the next attempt tells what the engine thinks
            return List.of();
        }
    }

    /** The engine side, through docker-java. */
    static Engine onEngine(DockerClient docker, String networkId) {
        return new Engine() {
            @Override
            public void remove() {
                docker.removeNetworkCmd(networkId).exec();
            }

            @Override
            public List<Endpoint> endpoints() {
                Map<String, Network.ContainerNetworkConfig> containers =
                        docker.inspectNetworkCmd().withNetworkId(networkId).exec().getContainers();
                List<Endpoint> endpoints = new ArrayList<>();
                if (containers != null) {
                    containers.forEach((id, config) -> endpoints.add(
                            new Endpoint(id, config == null ? null : config.getName(), stale(id))));
                }
                return endpoints;
            }

            private boolean stale(String containerId) {
                try {
                    var state = docker.inspectContainerCmd(containerId).exec().getState();
                    return state == null || Boolean.TRUE.equals(state.getDead())
                            || "removing".equals(state.getStatus()) || "dead".equals(state.getStatus());
                } catch (NotFoundException gone) {
                    return true;
                }
            }

            @Override
            public void forceDisconnect(Endpoint endpoint) {
                // By name: for a container that is gone the engine finds the endpoint by the container's name.
                docker.disconnectFromNetworkCmd().withNetworkId(networkId).withContainerId(endpoint.label())
                        .withForce(true).exec();
            }
        };
    }
}
