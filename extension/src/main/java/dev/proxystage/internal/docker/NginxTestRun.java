package dev.proxystage.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.NginxVerdict;
import dev.proxystage.internal.logs.TraceLog;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.FileContent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code nginx -t} exactly as a stage runs nginx: the stage's image, the same files placed the same way (conf.d
 * replacing the image's, {@code nginx.files}, the main config with ProxyStage's trace include, the plan's
 * certificates), the same command line, and every backend alias resolvable (nginx resolves the hosts of
 * {@code proxy_pass} at load). One throwaway container, no network, no backend; nothing is pulled. Its output comes
 * back in host paths. The container carries ProxyStage's labels, so {@code down} and the sweep remove it if this JVM
 * is killed meanwhile.
 */
public final class NginxTestRun {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String VERSION_PREFIX = "proxystage-nginx-version: ";

    private NginxTestRun() {
    }

    /**
     * Runs {@code nginx -t} for {@code definition} with {@code files} (the plan's generated files) placed, parsed as
     * {@code config} when ProxyStage could parse it (for the command line and the path mapping).
     */
    public static NginxVerdict run(DockerClient docker, StageDefinition definition, Map<String, FileContent> files,
                              Optional<NginxConfig> config, String runId) {
        NginxSpec nginx = definition.nginx();
        try {
            docker.inspectImageCmd(nginx.image()).exec();
        } catch (NotFoundException e) {
            throw new ProxyStageException(nginx.confDir() + ": nginx -t: the image " + nginx.image() + " is not on this"
                    + " Docker engine; pull it (docker pull " + nginx.image() + "), or choose a --profile whose images are"
                    + " local");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.RUN, runId);
        labels.put(Labels.STAGE, definition.name());
        labels.put(Labels.ROLE, "nginx-test");
        labels.put(Labels.PID, Long.toString(ProcessHandle.current().pid()));
        labels.put(Labels.HOST, Labels.hostName());
        String[] hosts = definition.backends().stream().flatMap(b -> b.hostNames().stream())
                .map(alias -> alias + ":127.0.0.1").toArray(String[]::new);
        String name = "nginx-test-" + definition.name() + "-" + runId;
        String args = config.map(NginxFiles::globals).orElseGet(() -> NginxFiles.globals(nginx));
        String command = "echo \"" + VERSION_PREFIX + "$(nginx -v 2>&1)\"\n" + testThenStart(args);
        String id = docker.createContainerCmd(nginx.image())
                .withName(name)
                .withLabels(labels)
                .withEntrypoint("/bin/sh", NginxFiles.ENTRYPOINT)
                .withHostConfig(HostConfig.newHostConfig().withExtraHosts(hosts))
                .exec().getId();
        try {
            docker.copyArchiveToContainerCmd(id).withRemotePath("/")
                    .withTarInputStream(new ByteArrayInputStream(archive(nginx, files, command))).exec();
            docker.startContainerCmd(id).exec();
            int exitCode = docker.waitContainerCmd(id).start().awaitStatusCode(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String raw = StageContainer.logs(docker, id);
            Optional<String> version = raw.lines().filter(l -> l.startsWith(VERSION_PREFIX)).findFirst()
                    .map(l -> l.substring(VERSION_PREFIX.length()))
                    .flatMap(NginxTestRun::versionOf);
            String output = TraceLog.withoutRecords(raw).lines().filter(l -> !l.startsWith(VERSION_PREFIX))
                    .reduce((a, b) -> a + "\n" + b).orElse("");
            // The paths as the stage maps them, whether or not ProxyStage could parse what they hold.
            var request = nginx.parseRequest();
            String mapped = NginxOutput.toHostPaths(output, request::hostPathOf);
            if (exitCode != 0 && mapped.isBlank()) {
                mapped = name + " (" + nginx.image() + ") exited with code " + exitCode + " and printed nothing";
            }
            return new NginxVerdict(exitCode == 0, nginx.image(), version, mapped);
        } finally {
            try {
                docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException alreadyGone) {
                // nothing to remove
            }
        }
    }

    /**
     * {@code nginx -t}, then, when it passes, nginx itself with the same arguments until its master has forked a
     * worker (what only a start finds: a pid file's or a log's missing directory, a {@code daemon on} that leaves the
     * container nothing to run), then a graceful stop. It listens inside this throwaway container only.
     */
    static String testThenStart(String args) {
        return "nginx -t" + args + " 2>&1 || exit 1\n"
                + "echo '" + NginxVerdict.START_PHASE + "'\n"
                + "nginx" + args + " 2>/tmp/proxystage-start.err &\n"
                + "master=$!\n"
                + "i=0\n"
                + "while [ $i -lt 200 ]; do\n"
                + "  if ! kill -0 \"$master\" 2>/dev/null; then\n"
                + "    wait \"$master\"; code=$?\n"
                + "    cat /tmp/proxystage-start.err\n"
                + "    if [ \"$code\" = 0 ]; then\n"
                + "      echo 'nginx: [emerg] nginx went into the background (daemon on): a stage container would have"
                + " nothing left to run; remove \"daemon on;\" from the main config'\n"
                + "    fi\n"
                + "    exit 2\n"
                + "  fi\n"
                + "  for stat in /proc/[0-9]*/stat; do\n"
                + "    read -r _ _ _ parent _ < \"$stat\" 2>/dev/null || continue\n"
                + "    if [ \"$parent\" = \"$master\" ]; then kill -QUIT \"$master\"; wait \"$master\";"
                + " cat /tmp/proxystage-start.err; exit 0; fi\n"
                + "  done\n"
                + "  sleep 0.05; i=$((i+1))\n"
                + "done\n"
                + "cat /tmp/proxystage-start.err\n"
                + "echo 'nginx: [emerg] nginx started no worker within 10 s'\n"
                + "exit 2\n";
    }

    /** {@code nginx version: nginx/1.26.3} as {@code 1.26.3}. */
    static Optional<String> versionOf(String nginxV) {
        Matcher m = Pattern.compile("nginx/(\\d+(?:\\.\\d+)+)").matcher(nginxV);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static byte[] archive(NginxSpec nginx, Map<String, FileContent> files, String command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            // The trace include as the stage has it (to stdout here: nothing receives it), so lines match.
            NginxFiles.archive(nginx, files, Optional.of(TraceLog.conf(Optional.empty())), command).transferTo(tar, "/");
            tar.finish();
        } catch (IOException e) {
            throw new ProxyStageException("cannot pack the conf.d of " + nginx.confDir() + " for nginx -t: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
