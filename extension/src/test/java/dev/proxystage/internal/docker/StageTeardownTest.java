package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The teardown's order of calls, without Docker: a scripted engine that logs each call, and a pause that only records. */
class StageTeardownTest {

    private static final String NET = "net-1";

    /** Logs every call as "verb name"; the network lists its containers until they were removed plus {@code lag} looks. */
    private static class ScriptedEngine implements StageTeardown.Engine {

        final List<String> calls = new ArrayList<>();
        final Set<String> attached = new HashSet<>();
        final Set<String> gone = new HashSet<>();
        int disconnecting;
        int mostDisconnectingAtOnce;
        int lag;
        int looks;

        ScriptedEngine(String... containers) {
            attached.addAll(List.of(containers));
        }

        private synchronized void log(String call) {
            calls.add(call);
        }

        @Override
        public void disconnect(String container, String networkId) {
            synchronized (this) {
                disconnecting++;
                mostDisconnectingAtOnce = Math.max(mostDisconnectingAtOnce, disconnecting);
            }
            try {
                Thread.sleep(2); // long enough for a second caller to overlap, were there one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                disconnecting--;
                log("disconnect " + container);
                if (gone.contains(container)) {
                    throw new NotFoundException("No such container: " + container);
                }
                if (!attached.remove(container)) {
                    throw new ConflictException("container " + container + " is not connected to network " + networkId);
                }
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
    void eachContainerLeavesTheNetworkThenIsRemovedAndTheNetworkGoesLast() {
        ScriptedEngine engine = new ScriptedEngine("nginx-rp-prep-1", "a-prep-1", "b-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeContainers(List.of("nginx-rp-prep-1"), NET);
        teardown.removeContainers(List.of("a-prep-1", "b-prep-1"), NET);
        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("nginx-rp-prep-1", "a-prep-1", "b-prep-1"));

        for (String container : List.of("nginx-rp-prep-1", "a-prep-1", "b-prep-1")) {
            assertThat(engine.callsFor(container)).as(container).containsExactly("disconnect", "remove");
        }
        assertThat(engine.calls.indexOf("remove nginx-rp-prep-1")).isLessThan(engine.calls.indexOf("disconnect a-prep-1"));
        assertThat(engine.calls).endsWith("look", "remove network pipeline-prep-1");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void containersLeaveTheNetworkOneAtATimeInTheirOrder() {
        List<String> names = IntStream.rangeClosed(1, 40).mapToObj(i -> "b" + i + "-prep-1").toList();
        ScriptedEngine engine = new ScriptedEngine(names.toArray(String[]::new));
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeContainers(names, NET);

        assertThat(engine.mostDisconnectingAtOnce).isEqualTo(1);
        assertThat(engine.calls.stream().filter(c -> c.startsWith("disconnect ")).map(c -> c.substring(11)).toList())
                .containsExactlyElementsOf(names);
        assertThat(engine.attached).isEmpty();
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void theNetworkWaitsUntilTheEngineListsNoneOfTheContainers() {
        ScriptedEngine engine = new ScriptedEngine();
        engine.lag = 3;
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("nginx-rp-prep-1"));

        assertThat(engine.calls).containsExactly("look", "look", "look", "look", "remove network pipeline-prep-1");
        assertThat(pauses).containsExactly(0L, 20L, 50L, 100L);
    }

    @Test
    void aNetworkThatKeepsListingAContainerIsStillRemovedAfterTheWait() {
        ScriptedEngine engine = new ScriptedEngine();
        engine.lag = Integer.MAX_VALUE;
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("nginx-rp-prep-1"));

        assertThat(engine.calls).last().isEqualTo("remove network pipeline-prep-1");
        assertThat(engine.looks).isEqualTo(StageTeardown.GONE_POLL_MS.length);
        assertThat(pauses.stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(2000);
    }

    @Test
    void containersOfOthersOnTheNetworkDoNotHoldItsRemoval() {
        ScriptedEngine engine = new ScriptedEngine("users-own-container");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeNetwork(NET, "pipeline-prep-1", List.of("a-prep-1"));

        assertThat(engine.calls).containsExactly("look", "remove network pipeline-prep-1");
    }

    @Test
    void aContainerThatIsGoneIsNotAProblem() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");
        engine.gone.add("a-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("disconnect", "remove");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void aContainerNotOnTheNetworkIsRemovedAnyway() {
        ScriptedEngine engine = new ScriptedEngine();
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("disconnect", "remove");
        assertThat(teardown.problems()).isEmpty();
    }

    @Test
    void withoutANetworkNothingIsDisconnected() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeContainers(List.of("a-prep-1"), null);

        assertThat(engine.callsFor("a-prep-1")).containsExactly("remove");
    }

    @Test
    void theSweepersTakeDownLeavesEveryNetworkOfTheRunFirst() {
        ScriptedEngine engine = new ScriptedEngine("a-prep-1");

        StageTeardown.takeDown(engine, StageTeardown.Order.SERIAL, "a-prep-1", List.of("net-1", "net-2"));

        assertThat(engine.calls).containsExactly("disconnect a-prep-1", "disconnect a-prep-1", "remove a-prep-1");
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
        StageTeardown teardown = teardown(engine, StageTeardown.Order.SERIAL);

        teardown.removeContainers(List.of("a-prep-1"), NET);

        assertThat(teardown.problems()).singleElement().asString()
                .startsWith("remove container a-prep-1: ").contains("already in progress");
    }

    @Test
    void engineApisBefore142GetTheSerialOrderAndLaterOnesTheForcedOne() {
        String before = System.getProperty(StageTeardown.ORDER_PROPERTY);
        try {
            System.clearProperty(StageTeardown.ORDER_PROPERTY);
            assertThat(StageTeardown.Order.forEngine(() -> "1.41")).isEqualTo(StageTeardown.Order.SERIAL);
            assertThat(StageTeardown.Order.forEngine(() -> "1.9")).isEqualTo(StageTeardown.Order.SERIAL);
            assertThat(StageTeardown.Order.forEngine(() -> "1.42")).isEqualTo(StageTeardown.Order.FORCE);
            assertThat(StageTeardown.Order.forEngine(() -> "1.45")).isEqualTo(StageTeardown.Order.FORCE);
            assertThat(StageTeardown.Order.forEngine(() -> "2.0")).isEqualTo(StageTeardown.Order.FORCE);
            assertThat(StageTeardown.Order.forEngine(() -> "unknown")).isEqualTo(StageTeardown.Order.SERIAL);
            assertThat(StageTeardown.Order.forEngine(() -> {
                throw new IllegalStateException("engine gone");
            })).isEqualTo(StageTeardown.Order.SERIAL);

            System.setProperty(StageTeardown.ORDER_PROPERTY, "force");
            assertThat(StageTeardown.Order.forEngine(() -> "1.41")).isEqualTo(StageTeardown.Order.FORCE);
            System.setProperty(StageTeardown.ORDER_PROPERTY, "serial");
            assertThat(StageTeardown.Order.forEngine(() -> "1.45")).isEqualTo(StageTeardown.Order.SERIAL);
        } finally {
            if (before == null) {
                System.clearProperty(StageTeardown.ORDER_PROPERTY);
            } else {
                System.setProperty(StageTeardown.ORDER_PROPERTY, before);
            }
        }
    }
}
