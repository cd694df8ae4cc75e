package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * What a person watching {@code up} sees of faults, whoever applies them (a test, the {@code fault} command, a
 * {@code docker pause}): the fault proxies' own lines (each change, timestamped), and what the engine does to the
 * stage's containers, from the engine's events: a pause and its unpause (a hang), a container leaving and joining
 * the stage network (a restart with a new address, and the placeholder that takes the old one).
 */
public final class FaultLog {

    private FaultLog() {
    }

    /**
     * Follows the faults of run {@code runId} on {@code network}, each line to {@code sink} with its source: {@code
     * <backend> faults} for a fault proxy's line, {@code faults} for the engine's. Close the handle to stop.
     */
    public static AutoCloseable follow(DockerClient docker, String runId, String network, BiConsumer<String, String> sink) {
        List<AutoCloseable> handles = new ArrayList<>();
        for (Container proxy : docker.listContainersCmd()
                .withLabelFilter(Map.of(Labels.RUN, runId, Labels.ROLE, StageFaults.ROLE_FAULT_PROXY)).exec()) {
            String source = proxy.getLabels().get(Labels.BACKEND) + " faults";
            handles.add(ContainerLogs.follow(new ContainerLogs.Ref(docker, proxy.getId()), OptionalLong.empty(),
                    (stderr, line) -> sink.accept(source, line)));
        }
        long from = Instant.now().getEpochSecond() * 1_000_000_000L + Instant.now().getNano();
        Map<String, Optional<Map<String, String>>> labels = new ConcurrentHashMap<>();
        ResultCallback.Adapter<Event> events = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
                try {
                    line(docker, runId, network, event, from, labels).ifPresent(text -> sink.accept("faults", text));
                } catch (RuntimeException e) {
                    // an event about a container that is already gone: nothing to say
                }
            }
        };
        docker.eventsCmd().withSince(Long.toString(Instant.now().getEpochSecond()))
                .withEventTypeFilter(EventType.CONTAINER, EventType.NETWORK).exec(events);
        handles.add(events);
        return () -> {
            for (AutoCloseable handle : handles) {
                try {
                    handle.close();
                } catch (Exception e) {
                    // the stream ends with its container anyway
                }
            }
        };
    }

    private static Optional<String> line(DockerClient docker, String runId, String network, Event event, long from,
                                         Map<String, Optional<Map<String, String>>> known) {
        long at = event.getTimeNano() != null ? event.getTimeNano() : event.getTime() * 1_000_000_000L;
        if (at < from || event.getActor() == null || event.getActor().getAttributes() == null) {
            return Optional.empty();
        }
        Map<String, String> attributes = event.getActor().getAttributes();
        String time = Instant.ofEpochSecond(0, at).toString() + " ";
        if (event.getType() == EventType.CONTAINER) {
            if (!runId.equals(attributes.get(Labels.RUN))) {
                return Optional.empty();
            }
            String subject = attributes.getOrDefault(Labels.BACKEND, attributes.getOrDefault(Labels.ROLE, "?"));
            String name = attributes.getOrDefault("name", event.getActor().getId());
            return switch (event.getAction()) {
                case "pause" -> Optional.of(time + subject + ": hang started (" + name + " paused: connections are"
                        + " accepted, nothing is answered)");
                case "unpause" -> Optional.of(time + subject + ": hang healed (" + name + " resumed)");
                case "destroy" -> StageFaults.ROLE_PLACEHOLDER.equals(attributes.get(Labels.ROLE))
                        ? Optional.of(time + subject + ": placeholder " + name + " removed") : Optional.empty();
                default -> Optional.empty();
            };
        }
        if (!network.equals(attributes.get("name")) || attributes.get("container") == null) {
            return Optional.empty();
        }
        String id = attributes.get("container");
        Optional<Map<String, String>> labels = known.computeIfAbsent(id, key -> {
            try {
                Map<String, String> found = docker.inspectContainerCmd(key).exec().getConfig().getLabels();
                return Optional.ofNullable(found);
            } catch (RuntimeException gone) {
                return Optional.empty();
            }
        });
        if (labels.isEmpty() || !runId.equals(labels.get().get(Labels.RUN))) {
            return Optional.empty();
        }
        String subject = labels.get().getOrDefault(Labels.BACKEND, labels.get().getOrDefault(Labels.ROLE, "?"));
        String role = labels.get().getOrDefault(Labels.ROLE, "");
        String name = docker.inspectContainerCmd(id).exec().getName().replaceFirst("^/", "");
        if (event.getAction().equals("disconnect")) {
            return Optional.of(time + subject + ": " + name + " left the stage network");
        }
        if (event.getAction().equals("connect")) {
            String address = Optional.ofNullable(docker.inspectContainerCmd(id).exec().getNetworkSettings().getNetworks().get(network))
                    .map(ContainerNetwork::getIpAddress).orElse("?");
            return Optional.of(time + subject + ": " + name + (role.equals(StageFaults.ROLE_PLACEHOLDER)
                    ? " took the old address " + address + " (it refuses connections)"
                    : " joined the stage network at " + address));
        }
        return Optional.empty();
    }
}
