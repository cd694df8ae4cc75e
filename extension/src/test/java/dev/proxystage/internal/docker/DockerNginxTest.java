package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.logs.TraceLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DockerNginxTest {

    @Test
    void followingShowsNginxsOwnLinesAndNotTheTraceRecordsOnItsStdout() {
        List<String> shown = new ArrayList<>();
        ContainerLogs.LineSink sink = DockerNginx.shown(shown::add);

        sink.accept(false, "10.0.0.1 - - \"GET / HTTP/1.1\" 200");
        sink.accept(false, TraceLog.PREFIX + "{\"request\":\"r1\"}");
        sink.accept(true, "2026/12/07 10:00:00 [warn] 1#1: a warning");
        sink.accept(true, TraceLog.PREFIX + "but on stderr, the error log");

        assertThat(shown).containsExactly("10.0.0.1 - - \"GET / HTTP/1.1\" 200", "2026/12/07 10:00:00 [warn] 1#1: a warning",
                TraceLog.PREFIX + "but on stderr, the error log");
    }
}
