package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Takes a stage down in reverse order of its start: nginx, then the backends, then the network, then the volumes.
 *
 * <p>Docker 20.10 (engine API before {@value #FIRST_API_WITHOUT_LOST_COUNT}) keeps a count of each network's endpoints
 * that two endpoints leaving at once can get wrong: the network then has "active endpoints" that no listing shows, until
 * the engine restarts. A container leaves by a disconnect, and also by a stop or forced removal while attached
 * (stopping releases its endpoints), so on such an engine the containers are disconnected one at a time
 * ({@link Order#SERIAL}), each removed by force, 8 at once, as soon as it is off (removing one that is off counts
 * nothing); the network goes once none of them is listed on it.
 *
 * <p>Those disconnects about double the teardown's time (the benchmark's soak), and later engines keep the count, so
 * they get {@link Order#FORCE}: one forced removal per container, 8 at once, then the network. {@value #ORDER_PROPERTY}
 * picks one for the soak, which measures both in one run.
 */
final class StageTeardown {

    /** Removals at once: the engine serialises much of each, so more only queue. */
    static final int PARALLELISM = 8;

    /** Selects the {@link Order} by its name; for the benchmark's comparison, not a user setting. */
    static final String ORDER_PROPERTY = "proxystage.internal.teardown";

    /** The waits before each look at the network for the removed containers, in ms: about 1.5 s in all. */
    static final long[] GONE_POLL_MS = {0, 20, 50, 100, 200, 400, 800};

    /**
     * The first engine API given the forced order: Docker 23.0's. Docker 20.10 (API 1.41) loses the count; Docker 26
     * (API 1.45) lost none in the soak, so it is spared the slower serial order (23.0 to 25 were not tried).
     */
    static final String FIRST_API_WITHOUT_LOST_COUNT = "1.42";

    enum Order {
        /** Off the network one container at a time, each removed as soon as it is off; the network once none is listed. */
        SERIAL,
        /** One forced removal per container, 8 at once, then the network at once. */
        FORCE;

        /** The order for an engine of this API version ({@link #ORDER_PROPERTY} overrides it). */
        static Order forEngine(Supplier<String> apiVersion) {
            String value = System.getProperty(ORDER_PROPERTY, "").strip().toUpperCase(Locale.ROOT);
            if (value.equals("FORCE") || value.equals("SERIAL")) {
                return valueOf(value);
            }
            String version;
            try {
                version = apiVersion.get();
            } catch (RuntimeException unknown) {
                return SERIAL;
            }
            return losesCount(version) ? SERIAL : FORCE;
        }

        /** Whether an engine of this API version can lose count of a network's endpoints; unknown versions can. */
        static boolean losesCount(String apiVersion) {
            return compare(apiVersion, FIRST_API_WITHOUT_LOST_COUNT) < 0;
        }

        /** Compares "major.minor" versions; one that does not parse sorts first. */
        private static int compare(String a, String b) {
            int[] x = parse(a);
            int[] y = parse(b);
            return x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]);
        }

        private static int[] parse(String version) {
            String[] parts = version == null ? new String[0] : version.strip().split("\\.");
            try {
                return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
            } catch (RuntimeException notAVersion) {
                return new int[] {-1, -1};
            }
        }
    }

    /** What a teardown needs of the engine; containers are named, the network by its id. */
    interface Engine {

        /** Disconnects the container from the network (not forced: a running one leaves as it would by itself). */
        void disconnect(String container, String networkId);

        /** Removes the container (by force) and its anonymous volumes; {@link NotFoundException} when gone. */
        void remove(String container);

        /** The names of the containers the engine lists on the network. */
        Set<String> onNetwork(String networkId);

        /** Removes the network ({@link NetworkRemoval}); {@link NotFoundException} when gone. */
        void removeNetwork(String networkId, String name);

        void removeVolume(String volume);
    }

    /** Waits between looks; a test passes one that only records. */
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private final Engine engine;
    private final Order order;
    private final Pause pause;
    private final List<String> problems = new ArrayList<>();

    StageTeardown(DockerClient docker) {
        this(onEngine(docker), Order.forEngine(() -> docker.versionCmd().exec().getApiVersion()), Thread::sleep);
    }

    StageTeardown(Engine engine, Order order, Pause pause) {
        this.engine = engine;
        this.order = order;
        this.pause = pause;
    }

    Order order() {
        return order;
    }

    /**
     * Takes these containers (names) off the network {@code networkId} (null: none), one at a time on this thread, and
     * removes them with their anonymous volumes, up to {@link #PARALLELISM} at once while the next ones leave.
     */
    void removeContainers(List<String> containers, String networkId) {
        if (containers.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, containers.size()), r -> {
            Thread thread = new Thread(r, "proxystage-teardown");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Void>> removals = new ArrayList<>();
            for (String name : containers) {
                if (order == Order.SERIAL && networkId != null) {
                    leave(engine, name, networkId);
                }
                removals.add(CompletableFuture.runAsync(
                        () -> attempt("remove container " + name, () -> engine.remove(name)), pool));
            }
            CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One container, in {@code order}: with {@link Order#SERIAL} off {@code networkIds} first. Throws what its removal
     * throws ({@link NotFoundException} when it is gone already). The caller takes one container at a time.
     */
    static void takeDown(Engine engine, Order order, String container, List<String> networkIds) {
        if (order == Order.SERIAL) {
            for (String networkId : networkIds) {
                leave(engine, container, networkId);
            }
        }
        engine.remove(container);
    }

    private static void leave(Engine engine, String container, String networkId) {
        try {
            engine.disconnect(container, networkId);
        } catch (RuntimeException notAttached) {
            // gone, or not (or no longer) on it: nothing to take off; its removal and the network's tell if it mattered
        }
    }

    /**
     * Removes the network once the engine lists none of {@code containers} on it (about 1.5 s at most; then it is
     * tried anyway, and {@link NetworkRemoval} says what is left).
     */
    void removeNetwork(String networkId, String name, List<String> containers) {
        if (order == Order.SERIAL) {
            Set<String> ours = new HashSet<>(containers);
            for (long wait : GONE_POLL_MS) {
                try {
                    pause.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                Set<String> listed;
                try {
                    listed = engine.onNetwork(networkId);
                } catch (NotFoundException gone) {
                    return;
                } catch (RuntimeException e) {
                    break;
                }
                if (listed.stream().noneMatch(ours::contains)) {
                    break;
                }
            }
        }
        attempt("remove network " + name, () -> engine.removeNetwork(networkId, name));
    }

    void removeVolumes(List<String> volumes) {
        for (String volume : volumes) {
            attempt("remove volume " + volume, () -> engine.removeVolume(volume));
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

    /** The engine side, through docker-java. */
    static Engine onEngine(DockerClient docker) {
        return new Engine() {
            @Override
            public void disconnect(String container, String networkId) {
                docker.disconnectFromNetworkCmd().withNetworkId(networkId).withContainerId(container).exec();
            }

            @Override
            public void remove(String container) {
                docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec();
            }

            @Override
            public Set<String> onNetwork(String networkId) {
                var listed = docker.inspectNetworkCmd().withNetworkId(networkId).exec().getContainers();
                Set<String> names = new HashSet<>();
                if (listed != null) {
                    for (Map.Entry<String, Network.ContainerNetworkConfig> e : listed.entrySet()) {
                        names.add(e.getValue() == null || e.getValue().getName() == null ? e.getKey() : e.getValue().getName());
                    }
                }
                return names;
            }

            @Override
            public void removeNetwork(String networkId, String name) {
                NetworkRemoval.remove(docker, networkId, name);
            }

            @Override
            public void removeVolume(String volume) {
                docker.removeVolumeCmd(volume).exec();
            }
        };
    }
}
