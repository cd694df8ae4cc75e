package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.engine.Reload;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A live reload of a running stage's nginx, in ONE exec (each exec or copy is a round trip to the engine): the
 * new files arrive as a tar on its stdin and are staged beside the live ones, put in place, {@code nginx -t}
 * checks them there (includes and certificate paths are absolute, so only in place is the test real), and then
 * either the master gets SIGHUP (what {@code nginx -s reload} sends) or the previous files go back. The old workers
 * keep serving the configuration they loaded until the master has started workers on the new one, which is what
 * "applied" waits for.
 */
final class NginxReload {

    /** Each reload stages its files in a directory of its own: a rejected attempt's files must not linger. */
    static final String NEXT = "/proxystage/next-";
    private static final java.util.concurrent.atomic.AtomicLong ATTEMPTS = new java.util.concurrent.atomic.AtomicLong();
    static final String SCRIPT = "/proxystage/reload.sh";

    static final int REJECTED = 1;
    static final int NO_NEW_WORKERS = 3;
    static final int UNPACK_FAILED = 4;
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);


    private final StageContainer nginx;
    private final NginxSpec spec;
    private final Set<Integer> published;

    private final java.util.Optional<String> traceConf;

    /** {@code traceConf}: the trace log configuration the running nginx was started with, placed again. */
    NginxReload(StageContainer nginx, NginxSpec spec, Set<Integer> published, java.util.Optional<String> traceConf) {
        this.traceConf = traceConf;
        this.nginx = nginx;
        this.spec = spec;
        this.published = Set.copyOf(published);
    }

    Reload apply(StagePlan plan) {
        long started = System.nanoTime();
        Set<Integer> unpublished = new TreeSet<>(plan.nginxPorts());
        unpublished.removeAll(published);
        if (!unpublished.isEmpty()) {
            // Docker cannot publish a port on a running container.
            return Reload.rejected(spec.confDir() + ": the conf.d now listens on " + unpublished.stream().map(String::valueOf)
                    .collect(Collectors.joining(", ")) + ", which the running nginx does not publish; restart up to"
                    + " publish it", millis(started));
        }
        String next = NEXT + ATTEMPTS.incrementAndGet();
        byte[] archive = StageContainer.tar(NginxFiles.archive(spec, plan.nginxFiles(), traceConf, next, SCRIPT,
                script(next, NginxFiles.globals(plan.config()))));
        Exec result;
        try {
            result = exec(archive, unpackThenReload(archive.length, next));
        } catch (RuntimeException e) {
            return Reload.rejected("cannot run the reload in " + nginx.name() + ": " + e.getMessage(), millis(started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reload.rejected("interrupted while reloading nginx", millis(started));
        }
        return switch (result.exitCode()) {
            case 0 -> Reload.applied(millis(started));
            case REJECTED -> Reload.rejected(nginxMessage(result.stderr(), plan.config()), millis(started));
            default -> Reload.rejected(toHostPaths(result.stderr().strip(), plan.config())
                    + " (exit " + result.exitCode() + ")", millis(started));
        };
    }

    private record Exec(int exitCode, String stderr) {
    }

    /**
     * The one command of a reload: unpack the archive from stdin, then the reload script. {@code head -c} reads
     * exactly the archive, so nothing waits for stdin to close.
     */
    static String unpackThenReload(int archiveBytes, String next) {
        // tar's stderr only on failure: GNU tar warns about the extended headers the archive has for other tars.
        return "head -c " + archiveBytes + " | tar -xf - -C / 2>/proxystage/unpack.err || { rm -rf " + next
                + "; echo 'cannot unpack the new nginx files:' >&2; cat /proxystage/unpack.err >&2; exit "
                + UNPACK_FAILED + "; }\n"
                + "exec /bin/sh " + SCRIPT + "\n";
    }

    /**
     * One exec with the archive on its stdin: a separate copy into the container would be one more round trip
     * to the engine, as long as the exec itself.
     */
    private Exec exec(byte[] stdin, String command) throws InterruptedException {
        DockerClient docker = nginx.docker();
        String id = docker.execCreateCmd(nginx.id().orElseThrow())
                .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
                .withCmd("/bin/sh", "-c", command)
                .exec().getId();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> output = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (frame.getStreamType() == StreamType.STDERR) {
                    stderr.writeBytes(frame.getPayload());
                }
            }
        };
        try (output) {
            docker.execStartCmd(id).withStdIn(new ByteArrayInputStream(stdin)).exec(output);
            if (!output.awaitCompletion(EXEC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the reload did not finish within " + EXEC_TIMEOUT.toSeconds() + " s");
            }
        } catch (IOException e) {
            // closing the finished exec's stream: nothing left to read
        }
        Long exit = docker.inspectExecCmd(id).exec().getExitCodeLong();
        return new Exec(exit == null ? -1 : exit.intValue(), stderr.toString(StandardCharsets.UTF_8));
    }

    /** nginx -t's error lines, without its closing "test failed" line, in host paths. */
    static String nginxMessage(String stderr, NginxConfig config) {
        String lines = stderr.lines()
                .filter(l -> !l.isBlank() && !l.contains("test failed") && !l.contains("syntax is ok"))
                .map(NginxReload::fileLineFirst)
                .collect(Collectors.joining("; "));
        return toHostPaths(lines.isEmpty() ? stderr.strip() : lines, config);
    }

    /** As {@link NginxOutput#fileLineFirst}. */
    static String fileLineFirst(String line) {
        return NginxOutput.fileLineFirst(line);
    }

    static String toHostPaths(String message, NginxConfig config) {
        return NginxOutput.toHostPaths(message, config::hostPathOf);
    }

    /** {@code globals}: what nginx runs with ({@link NginxFiles#globals}), so that nginx -t tests what reloads. */
    String script(String next, String globals) {
        return "#!/bin/sh\n"
                + "# Written by ProxyStage: checks the staged configuration in place, then reloads or puts the previous one back.\n"
                // Workers that accept connections, as /proc/N/cmdline paths: one grep, however many processes. A
                // worker told to stop is titled "worker process is shutting down", and -x leaves it out.
                + "workers() { grep -lxz 'nginx: worker process' /proc/[0-9]*/cmdline 2>/dev/null; }\n"
                + "old=\" $(echo $(workers)) \"\n"
                + NginxFiles.placement(next, traceConf.isPresent())
                + "if ! nginx -t -q" + globals + " 2>/proxystage/reload.err; then\n"
                + NginxFiles.placement(NginxFiles.STAGING, traceConf.isPresent())
                + "  rm -rf " + next + "\n"
                + "  cat /proxystage/reload.err >&2\n"
                + "  exit " + REJECTED + "\n"
                + "fi\n"
                + "rm -rf " + NginxFiles.STAGING + " && mv " + next + " " + NginxFiles.STAGING + "\n"
                // SIGHUP is what nginx -s reload sends, without nginx -s parsing the whole configuration again
                // (nginx -t just did) to find the pid file.
                + "set -- $(grep -lz '^nginx: master process' /proc/[0-9]*/cmdline 2>/dev/null)\n"
                + "if [ $# -eq 1 ]; then\n"
                + "  master=${1#/proc/}; kill -HUP \"${master%/cmdline}\" || exit " + NO_NEW_WORKERS + "\n"
                + "else\n"
                + "  nginx -s reload || exit " + NO_NEW_WORKERS + "\n"
                + "fi\n"
                // The master starts new workers only once it has loaded the new files, then tells the old ones
                // to stop accepting: applied is new workers up and no old one still accepting (at most 1 s more,
                // as an old worker on a long request shows "is shutting down" only once it has closed its sockets).
                + "i=0; j=0\n"
                + "while :; do\n"
                + "  fresh=''; left=''\n"
                + "  for p in $(workers); do case \"$old\" in *\" $p \"*) left=\"$left $p\";; *) fresh=1;; esac; done\n"
                + "  if [ -n \"$fresh\" ]; then\n"
                + "    [ -z \"$left\" ] || [ $j -ge 200 ] && exit 0\n"
                // The master sleeps 100 ms after starting new workers before it stops the old ones. Once new
                // ones are up, the old ones are told now, with the master's own graceful SIGQUIT: requests they
                // are serving still finish.
                + "    [ $j -eq 0 ] && for p in $left; do q=${p#/proc/}; kill -QUIT \"${q%/cmdline}\" 2>/dev/null; done\n"
                + "    j=$((j+1))\n"
                + "  elif [ $i -ge 2000 ]; then\n"
                + "    echo \"nginx started no worker on the new configuration within 10 s of the reload\" >&2\n"
                + "    exit " + NO_NEW_WORKERS + "\n"
                + "  fi\n"
                + "  i=$((i+1)); sleep 0.005\n"
                + "done\n";
    }

    private static long millis(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
