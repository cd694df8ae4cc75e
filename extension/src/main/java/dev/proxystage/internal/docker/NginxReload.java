package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.engine.Reload;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.StagePlan;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;

/**
 * A live reload of a running stage's nginx: the new files are staged beside the live ones, put in place,
 * {@code nginx -t} checks them there (includes and certificate paths are absolute, so only in place is the test
 * real), and then either {@code nginx -s reload} or the previous files go back. The old workers keep serving the
 * configuration they loaded until the master has started workers on the new one, which is what "applied" waits for.
 */
final class NginxReload {

    /** Each reload stages its files in a directory of its own: a rejected attempt's files must not linger. */
    static final String NEXT = "/proxystage/next-";
    private static final java.util.concurrent.atomic.AtomicLong ATTEMPTS = new java.util.concurrent.atomic.AtomicLong();
    static final String SCRIPT = "/proxystage/reload.sh";

    static final int REJECTED = 1;
    static final int NO_NEW_WORKERS = 3;

    private static final Pattern CONTAINER_FILE_LINE = Pattern.compile("(/[^\\s:\"']+):(\\d+)");

    private final GenericContainer<?> nginx;
    private final NginxSpec spec;
    private final Set<Integer> published;

    private final java.util.Optional<String> traceConf;

    /** {@code traceConf}: the trace log configuration the running nginx was started with, placed again. */
    NginxReload(GenericContainer<?> nginx, NginxSpec spec, Set<Integer> published, java.util.Optional<String> traceConf) {
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
        nginx.copyFileToContainer(NginxFiles.archive(spec, plan.nginxFiles(), traceConf, next, SCRIPT, script(next)), "/");
        Container.ExecResult result;
        try {
            result = nginx.execInContainer("/bin/sh", SCRIPT);
        } catch (IOException e) {
            return Reload.rejected("cannot run the reload in " + nginx.getContainerName() + ": " + e.getMessage(), millis(started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reload.rejected("interrupted while reloading nginx", millis(started));
        }
        return switch (result.getExitCode()) {
            case 0 -> Reload.applied(millis(started));
            case REJECTED -> Reload.rejected(nginxMessage(result.getStderr(), plan.config()), millis(started));
            default -> Reload.rejected(toHostPaths(result.getStderr().strip(), plan.config())
                    + " (exit " + result.getExitCode() + ")", millis(started));
        };
    }

    /** nginx -t's error lines, without its closing "test failed" line, in host paths. */
    static String nginxMessage(String stderr, NginxConfig config) {
        String lines = stderr.lines()
                .filter(l -> !l.isBlank() && !l.contains("test failed") && !l.contains("syntax is ok"))
                .map(NginxReload::fileLineFirst)
                .collect(Collectors.joining("; "));
        return toHostPaths(lines.isEmpty() ? stderr.strip() : lines, config);
    }

    private static final Pattern NGINX_LINE = Pattern.compile(
            "^(?:nginx: )?(?:\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d )?\\[(\\w+)\\] (?:\\d+#\\d+: )?(.*?)(?: in (/\\S+:\\d+))?$");

    /** {@code nginx: [emerg] unknown directive "x" in /etc/nginx/conf.d/a.conf:5} as {@code /etc/nginx/conf.d/a.conf:5: unknown directive "x"}. */
    static String fileLineFirst(String line) {
        Matcher m = NGINX_LINE.matcher(line.strip());
        if (!m.matches()) {
            return line.strip();
        }
        String level = m.group(1).equals("emerg") ? "" : m.group(1) + ": ";
        return m.group(3) == null ? level + m.group(2) : m.group(3) + ": " + level + m.group(2);
    }

    /** nginx names container paths ({@code /etc/nginx/conf.d/app.conf:7}); users edit host files. */
    static String toHostPaths(String message, NginxConfig config) {
        Matcher m = CONTAINER_FILE_LINE.matcher(message);
        StringBuilder mapped = new StringBuilder();
        while (m.find()) {
            String host = config.hostPathOf(m.group(1)).map(Object::toString).orElse(m.group(1));
            m.appendReplacement(mapped, Matcher.quoteReplacement(host + ":" + m.group(2)));
        }
        m.appendTail(mapped);
        return mapped.toString();
    }

    private String script(String next) {
        return "#!/bin/sh\n"
                + "# Written by ProxyStage: checks the staged configuration in place, then reloads or puts the previous one back.\n"
                + "workers() { for d in /proc/[0-9]*; do grep -qa '^nginx: worker process' \"$d/cmdline\" 2>/dev/null"
                + " && echo \"${d#/proc/}\"; done; }\n"
                + "old=\" $(workers | tr '\\n' ' ') \"\n"
                + NginxFiles.placement(next, traceConf.isPresent())
                + "if ! nginx -t -q 2>/proxystage/reload.err; then\n"
                + NginxFiles.placement(NginxFiles.STAGING, traceConf.isPresent())
                + "  rm -rf " + next + "\n"
                + "  cat /proxystage/reload.err >&2\n"
                + "  exit " + REJECTED + "\n"
                + "fi\n"
                + "rm -rf " + NginxFiles.STAGING + " && mv " + next + " " + NginxFiles.STAGING + "\n"
                + "nginx -s reload || exit " + NO_NEW_WORKERS + "\n"
                // The master starts new workers only once it has loaded the new files, then tells the old ones
                // to stop accepting: applied is new workers up and no old one still accepting (at most 1 s more,
                // as an old worker on a long request shows "is shutting down" only once it has closed its sockets).
                + "i=0; fresh=''\n"
                + "while [ -z \"$fresh\" ] && [ $i -lt 1000 ]; do\n"
                + "  for p in $(workers); do case \"$old\" in *\" $p \"*) ;; *) fresh=1;; esac; done\n"
                + "  [ -z \"$fresh\" ] && sleep 0.01; i=$((i+1))\n"
                + "done\n"
                + "if [ -z \"$fresh\" ]; then\n"
                + "  echo \"nginx started no worker on the new configuration within 10 s of the reload\" >&2\n"
                + "  exit " + NO_NEW_WORKERS + "\n"
                + "fi\n"
                + "j=0\n"
                + "while [ $j -lt 100 ]; do\n"
                + "  left=''\n"
                + "  for p in $old; do grep -qa '^nginx: worker process' \"/proc/$p/cmdline\" 2>/dev/null"
                + " && ! grep -qa 'shutting down' \"/proc/$p/cmdline\" 2>/dev/null && left=1; done\n"
                + "  [ -z \"$left\" ] && exit 0\n"
                + "  sleep 0.01; j=$((j+1))\n"
                + "done\n"
                + "exit 0\n";
    }

    private static long millis(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
