package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.proxystage.internal.docker.NetworkRemoval.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Network removal's retry on "has active endpoints", without Docker: a scripted engine and a pause that only records. */
class NetworkRemovalTest {

    private static final String NET = "pipeline-prep-1a2b3c4d";

    private static RuntimeException activeEndpoints() {
        // what docker-java throws for the engine's 403 on Docker 20.10
        return new DockerException("Status 403: {\"message\":\"error while removing network: network " + NET
                + " id 5f3c has active endpoints\"}", 403);
    }

    /** Refuses the first {@code refusals} removals with "active endpoints", lists {@code listed}, records the rest. */
    private static final class ScriptedEngine implements NetworkRemoval.Engine {

        int refusals;
        List<Endpoint> listed = List.of();
        int removals;
        final List<String> disconnected = new ArrayList<>();
        RuntimeException failure;

        ScriptedEngine(int refusals) {
            this.refusals = refusals;
        }

        @Override
        public void remove() {
            removals++;
            if (failure != null) {
                throw failure;
            }
            if (refusals > 0) {
                refusals--;
                throw activeEndpoints();
            }
        }

        @Override
        public List<Endpoint> endpoints() {
            return listed;
        }

        @Override
        public void forceDisconnect(Endpoint endpoint) {
            disconnected.add(endpoint.label());
        }
    }

    private final List<Long> pauses = new ArrayList<>();

    private void remove(ScriptedEngine engine) {
        NetworkRemoval.remove(NET, engine, pauses::add);
    }

    @Test
    void aNetworkThatGoesAtOnceIsRemovedWithoutWaiting() {
        ScriptedEngine engine = new ScriptedEngine(0);

        remove(engine);

        assertThat(engine.removals).isEqualTo(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void activeEndpointsAreRetriedWithAGrowingBackoffUntilTheEngineLetsGo() {
        ScriptedEngine engine = new ScriptedEngine(3);

        remove(engine);

        assertThat(engine.removals).isEqualTo(4);
        assertThat(pauses).containsExactly(50L, 100L, 200L);
    }

    @Test
    void staleEndpointsAreForceDisconnectedBeforeTheRetryButLiveContainersAreLeftAlone() {
        ScriptedEngine engine = new ScriptedEngine(1);
        engine.listed = List.of(new Endpoint("ep-9d1e", "b001-prep-1a2b3c4d", true),
                new Endpoint("77aa", "users-own-sidecar", false));

        remove(engine);

        assertThat(engine.disconnected).containsExactly("b001-prep-1a2b3c4d");
        assertThat(engine.removals).isEqualTo(2);
    }

    @Test
    void theRetriesAreBoundedToAFewSecondsThenOneLineNamesTheNetworkAndWhatIsLeft() {
        ScriptedEngine engine = new ScriptedEngine(Integer.MAX_VALUE);
        engine.listed = List.of(new Endpoint("77aa", "users-own-sidecar", false));

        assertThatThrownBy(() -> remove(engine))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("network " + NET + " still has active endpoints")
                .hasMessageContaining("users-own-sidecar")
                .hasMessageContaining("docker network rm " + NET)
                .hasMessageNotContaining("\n");
        assertThat(engine.removals).isEqualTo(NetworkRemoval.BACKOFF_MS.length + 1);
        assertThat(pauses.stream().mapToLong(Long::longValue).sum())
                .isEqualTo(NetworkRemoval.totalBackoffMillis())
                .isBetween(1_000L, 5_000L);
    }

    @Test
    void aNetworkTheEngineCountsEndpointsOnButListsNoneOnIsBlamedOnTheEngineWithItsCure() {
        ScriptedEngine ghost = new ScriptedEngine(Integer.MAX_VALUE);

        assertThatThrownBy(() -> remove(ghost))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("network " + NET + " still has active endpoints")
                .hasMessageContaining("the engine lists none on it")
                .hasMessageContaining("only restarting the engine lets the network go (then: docker network rm " + NET + ")")
                .hasMessageNotContaining("\n");
        assertThat(ghost.disconnected).isEmpty();
    }

    @Test
    void theSweeperRetriesOnceAtOnceAfterDisconnectingTheStaleEndpointsAndDoesNotWait() {
        ScriptedEngine stuck = new ScriptedEngine(Integer.MAX_VALUE);
        stuck.listed = List.of(new Endpoint("9f1c", "b001-prep-1a2b3c4d", true));

        assertThatThrownBy(() -> NetworkRemoval.remove(NET, stuck, pauses::add, NetworkRemoval.SWEEP_BACKOFF_MS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still has active endpoints after 1 retries over 0 ms");
        assertThat(stuck.removals).isEqualTo(2);
        assertThat(stuck.disconnected).containsExactly("b001-prep-1a2b3c4d");
        assertThat(pauses).containsExactly(0L);

        ScriptedEngine clears = new ScriptedEngine(1);
        NetworkRemoval.remove(NET, clears, pauses::add, NetworkRemoval.SWEEP_BACKOFF_MS);
        assertThat(clears.removals).isEqualTo(2);
    }

    @Test
    void otherRefusalsAreNotRetried() {
        ScriptedEngine engine = new ScriptedEngine(0);
        engine.failure = new ConflictException("network is in use by a swarm service");

        assertThatThrownBy(() -> remove(engine)).isSameAs(engine.failure);
        assertThat(engine.removals).isEqualTo(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void aNetworkGoneAlreadyIsLeftToTheCallerToJudge() {
        ScriptedEngine engine = new ScriptedEngine(0);
        engine.failure = new NotFoundException("network " + NET + " not found");

        assertThatThrownBy(() -> remove(engine)).isInstanceOf(NotFoundException.class);
        assertThat(pauses).isEmpty();
    }

    @Test
    void theRefusalWorthARetryIsRecognisedByItsMessage() {
        assertThat(NetworkRemoval.activeEndpoints(activeEndpoints())).isTrue();
        assertThat(NetworkRemoval.activeEndpoints(new ConflictException("conflict"))).isFalse();
        assertThat(NetworkRemoval.activeEndpoints(new IllegalStateException((String) null))).isFalse();
    }

    @Test
    void docker26RefusesWithTheSameWordsAs20() {
        // as Docker 26.1.5 answers (seen on the engine matrix's test host): 403, the same sentence as 20.10's
        RuntimeException docker26 = new DockerException("Status 403: {\"message\":\"error while removing network: network nx1"
                + " id ddf8b2072a8e27add5874949c7b9db3b2674574dadd184e8db653e318ae4f720 has active endpoints\"}", 403);
        assertThat(NetworkRemoval.activeEndpoints(docker26)).isTrue();
    }
}
