package dev.proxystage.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The attaching JVM's warm-up really runs the client's request path, and leaves no thread of its own behind. */
class ClientWarmupTest {

    @Test
    void oneRequestToItsOwnLoopbackSocketGoesThroughAndItsThreadsEnd() throws Exception {
        assertThat(ClientWarmup.run()).isTrue();

        // The answering thread ends once it has written the response; wait for it rather than for a fixed time.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("proxystage-warmup-server")) {
                t.join(10_000);
            }
        }
        Set<Thread> threads = Thread.getAllStackTraces().keySet();
        assertThat(threads).noneMatch(t -> t.getName().equals("proxystage-warmup-server") && t.isAlive());
    }
}
