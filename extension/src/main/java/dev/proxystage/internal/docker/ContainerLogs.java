package dev.proxystage.internal.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.proxystage.internal.logs.TraceLog;
import dev.proxystage.internal.logs.LogClock;
import dev.proxystage.internal.logs.LogLine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.output.FrameConsumerResultCallback;
import org.testcontainers.containers.output.OutputFrame;

/**
 * A container's log, read from the engine when someone asks (diagnostics, the error log) rather than streamed into
 * the JVM line by line: a stream per container holds one of the Docker client's pooled connections for the stage's
 * lifetime, and past the pool's size the streams queue behind each other. {@link #follow} remains for callers that
 * really want every line as it comes.
 */
final class ContainerLogs {

    /** Receives a container's output line by line, told whether each line came on stderr. */
    interface LineSink {
        void accept(boolean stderr, String line);
    }

    private ContainerLogs() {
    }

    /** A container by engine client and id: one this JVM started, or one of a stage it attached to. */
    record Ref(com.github.dockerjava.api.DockerClient docker, String id) {
    }

    /** The lines {@code container} logged after {@code sequence} (see {@link LogClock}), oldest first. */
    static List<LogLine> since(Ref container, String name, long sequence, boolean stderrOnly) {
        List<LogLine> lines = new ArrayList<>();
        LineSink sink = (stderr, text) -> {
            int space = text.indexOf(' ');
            long at = space < 0 ? -1 : LogClock.parse(text.substring(0, space));
            String line = text.substring(space + 1);
            if (at > sequence && (stderr || !TraceLog.isRecord(line))) {
                lines.add(new LogLine(at, name, stderr, line));
            }
        };
        Splitter out = new Splitter(false, sink);
        Splitter err = new Splitter(true, sink);
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (frame.getStreamType() == StreamType.STDERR) {
                    err.accept(frame.getPayload());
                } else {
                    out.accept(frame.getPayload());
                }
            }
        };
        try {
            container.docker().logContainerCmd(container.id())
                    .withStdOut(!stderrOnly).withStdErr(true).withTimestamps(true)
                    .withSince((int) LogClock.epochSecond(sequence))
                    .exec(callback).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException gone) {
            // a container that is already gone has no more lines to give
        } finally {
            try {
                callback.close();
            } catch (java.io.IOException ignored) {
                // nothing left to release
            }
        }
        out.flush();
        err.flush();
        return lines;
    }

    /**
     * Follows {@code container}'s output from its first line on (with {@code fromNow}, from now on), split into lines
     * per stream, until the returned handle is closed or the container stops.
     */
    static AutoCloseable follow(Ref container, boolean fromNow, LineSink sink) {
        return follow(container, fromNow ? OptionalLong.of(NOW) : OptionalLong.empty(), sink);
    }

    /** For {@link #follow(Ref, OptionalLong, LineSink)}: from the moment the stream opens. */
    static final long NOW = -1;

    /**
     * Follows {@code container}'s output from its first line on; with {@code since}, from that epoch second on (or
     * {@link #NOW}: from the moment the stream opens), until the handle is closed or the container stops.
     */
    static AutoCloseable follow(Ref container, OptionalLong since, LineSink sink) {
        FrameConsumerResultCallback callback = new FrameConsumerResultCallback();
        Splitter out = new Splitter(false, sink);
        Splitter err = new Splitter(true, sink);
        callback.addConsumer(OutputFrame.OutputType.STDOUT, f -> out.accept(f.getBytes()));
        callback.addConsumer(OutputFrame.OutputType.STDERR, f -> err.accept(f.getBytes()));
        var command = container.docker().logContainerCmd(container.id())
                .withFollowStream(true).withStdOut(true).withStdErr(true);
        if (since.isPresent()) {
            command = since.getAsLong() == NOW ? command.withTail(0) : command.withSince((int) since.getAsLong());
        }
        command.exec(callback);
        return callback;
    }

    /** Frames do not keep to line boundaries: bytes are joined per stream and cut at newlines. */
    private static final class Splitter {

        private final boolean stderr;
        private final LineSink sink;
        private final StringBuilder partial = new StringBuilder();

        Splitter(boolean stderr, LineSink sink) {
            this.stderr = stderr;
            this.sink = sink;
        }

        synchronized void accept(byte[] bytes) {
            if (bytes == null) {
                return;
            }
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                String text = partial.substring(0, newline);
                partial.delete(0, newline + 1);
                sink.accept(stderr, text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
            }
        }

        synchronized void flush() {
            if (partial.length() > 0) {
                sink.accept(stderr, partial.toString());
                partial.setLength(0);
            }
        }
    }
}
