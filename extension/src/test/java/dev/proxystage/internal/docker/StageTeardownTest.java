package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The teardown's order of calls, without Docker: a scripted engine that logs each call, and a pause that only records. */
class StageTeardownTest {

    private static final String NET = "net-1";

    /** Logs every call as "verb name"; the network lists its containers until they were removed plus {@code lag} looks. */
    private static class ScriptedEngine implements StageTeardown.Engine {

        final List<String> calls = new ArrayList<>();
        final Set<String> attached = new HashSet<>();
        final Set<String> gone = new HashSet<>();
        final Set<String> stoppedAlready = new HashSet<>();
        int lag;
        int looks;

        ScriptedEngine(String... containers) {
            attached.addAll(List.of(containers));
        }

        private synchronized void log(String call) {
            calls.add(call);
        }

        @Override
        public void stop(String container) {
            log("stop " + container);
            if (gone.contains(container)) {
                throw new NotFoundException("No such container: " + container);
            }
            if (stoppedAlready.contains(container)) {
                throw new NotModifiedException("container already stopped");
            }
        }

        @Override
        public synchronized void disconnect(String container, String networkId) {
            log("disconnect " + container);
            if (!attached.remove(container)) {
                throw new ConflictException("container " + container + " is not connected to network " + networkId);
            }
        }

        @Override
        public void remove(String container) {
            log("remove " + container);
            if (gone.contains(container)) {
                throw new NotFoundException("No such container: " + container);
            }
        }

        @Override
        public synchronized Set<String> onNetwork(String networkId) {
            looks++;
            log("look");
            return looks <= lag ? Set.of("nginx-rp-prep-1") : Set.copyOf(attached);
        }

        @Override
        public void removeNetwork(String networkId, String name) {
            log("remove network " + name);
        }

        @Override
        public void removeVolume(String volume) {
            log("remove volume " + volume);
        }

        List<String> callsFor(String container) {
            return calls.stream().filter(c -> c.endsWith(" " + container)).map(c -> c.substring(0, c.indexOf(' '))).toList();
        }
    }

    private final List<Long> pauses = new ArrayList<>();

    private StageTeardown teardown(ScriptedEngine engine, StageTeardown.Order order) {
        return new StageTeardown(engine, order, pauses::add);
    }

    @Test
    void eachContainerIsStoppedDisconnectedThenRemovedAndTheNetworkGoesLast() {
        ScriptedEngine engine = new ScriptedEngine("nginx-rp-prep-1", "a-prep-1", "b-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeContainers(List.of("nginx-rp-prep-1"), NET);
        teardown.removeContainers(List.of("a-prep-1", "b-prep-1"), NET);
        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("nginx-rp-prep-1", "a-prep-1", "b-prep-1"));

        for (String container : List.of("nginx-rp-prep-1", "a-prep-1", "b-prep-1")) {
            assertThat(engine.callsFor(container)).as(container).containsExactly("stop", "disconnect", "remove");
        }
        assertThat(engine.calls.indexOf("remove nginx-rp-prep-1")).isLessThan(engine.calls.indexOf("stop a-prep-1"));
        assertThat(engine.calls).endsWith("look", "remove network pipeline-prep-1");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void theNetworkWaitsUntilTheEngineListsNoneOfTheContainers() {
        ScriptedEngine engine = new ScriptedEngine();
        engine.lag = 3;
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("nginx-rp-prep-1"));

        assertThat(engine.calls).containsExactly("look", "look", "look", "look", "remove network pipeline-prep-1");
        assertThat(pauses).containsExactly(0L, 20L, 50L, 100L);
    }

    @Test
    void aNetworkThatKeepsListingAContainerIsStillRemovedAfterTheWait() {
        ScriptedEngine engine = new ScriptedEngine();
        engine.lag = Integer.MAX_VALUE;
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("nginx-rp-prep-1"));

        assertThat(engine.calls).last().isEqualTo("remove network pipeline-prep-1");
        assertThat(engine.looks).isEqualTo(StageTeardown.GONE_POLL_MS.length);
        assertThat(pauses.stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(2000);
    }

    @Test
    void containersOfOthersOnTheNetworkDoNotHoldItsRemoval() {
        ScriptedEngine engine = new ScriptedEngine("users-own-container");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("a-prep-1"));

        assertThat(engine.calls).containsExactly("look", "remove network pipeline-prep-1");
    }

    @Test
    void aContainerThatIsGoneIsNeitherDisconnectedNorAProblem() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");
        engine.gone.add("a-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("stop");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void aContainerThatStoppedByItselfIsStillDisconnectedAndRemoved() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");
        engine.stoppedAlready.add("a-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("stop", "disconnect", "remove");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void aContainerNotOnTheNetworkIsRemovedAnyway() {
        ScriptedEngine engine = new ScriptedEngine();
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("stop", "disconnect", "remove");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void withoutANetworkNothingIsDisconnected() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeContainers(List.of("a-prep-1"), null);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("stop", "remove");
    }

    @Test
    void theForceOrderRemovesEachContainerInOneCallAndTheNetworkAtOnce() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.FORCE);

        teardown.removeContainers(List.of("a-prep-1"), NET);
        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("a-prep-1"));

        assertThat(engine.calls).containsExactly("remove a-prep-1", "remove network pipeline-prep-1");
        assertThat(pauses).isEmpty();
    }

    @Test
    void aRemovalThatFailsIsAProblemNamingTheContainer() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1") {
            @Override
            public void remove(String container) {
                throw new ConflictException("removal of container " + container + " is already in progress");
            }
        };
        StageTeardown teardown = teardown(engine, StageTeardown.Order.ORDERLY);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(teardown.problems()).singleElement().asString()
                .startsWith("remove container a-prep-1: ").contains("already in progress");
    }

    @Test
    void theOrderIsOrderlyUnlessTheBenchmarkAsksForTheForceOrder() {
        String before = System.getProperty(StageTeardown.ORDER_PROPERTY);
        try {
            System.clearProperty(StageTeardown.ORDER_PROPERTY);
            assertThat(StageTeardown.Order.configured()).isEqualTo(StageTeardown.Order.ORDERLY);
            System.setProperty(StageTeardown.ORDER_PROPERTY, "force");
            assertThat(StageTeardown.Order.configured()).isEqualTo(StageTeardown.Order.FORCE);
            System.setProperty(StageTeardown.ORDER_PROPERTY, "orderly");
            assertThat(StageTeardown.Order.configured()).isEqualTo(StageTeardown.Order.ORDERLY);
        } finally {
            if (before == null) {
                System.clearProperty(StageTeardown.ORDER_PROPERTY);
            } else {
                System.setProperty(StageTeardown.ORDER_PROPERTY, before);
            }
        }
    }
}
