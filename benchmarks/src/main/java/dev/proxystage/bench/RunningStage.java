package dev.proxystage.bench;

import java.util.Map;

/** A stage that one of the cold-start cases brought up: its nginx port on 127.0.0.1, and its teardown. */
interface RunningStage {

    int nginxPort();

    /** nginx's container ports and where they are published on 127.0.0.1. */
    Map<Integer, Integer> ports();

    void down();

    /** The run id in the names of its containers, when the case chose its own rather than the one it was given. */
    default String runId(String given) {
        return given;
    }

    /** A stage whose ports are known once it started, and how it goes down. */
    static RunningStage of(int nginxPort, Map<Integer, Integer> ports, Runnable down) {
        return new Started(nginxPort, ports, down);
    }

    /** What {@link #of} returns. */
    record Started(int nginxPort, Map<Integer, Integer> ports, Runnable teardown) implements RunningStage {

        @Override
        public void down() {
            teardown.run();
        }
    }
}
