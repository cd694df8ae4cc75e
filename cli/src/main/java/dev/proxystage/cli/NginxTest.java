package dev.proxystage.cli;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import dev.proxystage.ProxyStageException;
import dev.proxystage.internal.runtime.RunIds;
import dev.proxystage.internal.config.BackendSpec;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.docker.NginxFiles;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.docker.DockerEngine;
import dev.proxystage.internal.docker.Labels;
import dev.proxystage.internal.plan.StagePlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code check --nginx-test}: {@code nginx -t} in the stage's nginx image, in a one-off container laid out as the
 * stage's nginx is (the real conf.d replacing the image's, {@code nginx.files}, the plan's certificates at their
 * paths), with every backend alias resolvable, so that nginx can resolve the hosts its proxy_pass directives name.
 * It needs no backend image and no network, and reads nginx's output before the container goes, whatever its timing.
 * Nothing is pulled: the image must be on the engine.
 * The container carries ProxyStage's labels, so {@code down} removes it if this JVM is killed meanwhile.
 */
final class NginxTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CONTAINER_FILE_LINE = Pattern.compile("(/[^\\s:\"']+):(\\d+)");

    private NginxTest() {
    }

    static List<Finding> run(StagePlan plan) {
        StageDefinition definition = plan.definition();
        NginxSpec nginx = definition.nginx();
        DockerClient docker = DockerEngine.client();
        try {
            docker.inspectImageCmd(nginx.image()).exec();
        } catch (NotFoundException e) {
            return List.of(Finding.error(nginx.confDir() + ": nginx -t: the image " + nginx.image() + " is not on this"
                    + " Docker engine; pull it (docker pull " + nginx.image() + "), or choose a --profile whose images are"
                    + " local"));
        }
        String runId = RunIds.next();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.RUN, runId);
        labels.put(Labels.STAGE, definition.name());
        labels.put(Labels.ROLE, "nginx-test");
        labels.put(Labels.PID, Long.toString(ProcessHandle.current().pid()));
        labels.put(Labels.HOST, StageOwners.thisHostName());
        String[] hosts = definition.backends().stream().map(BackendSpec::alias).map(alias -> alias + ":127.0.0.1")
                .toArray(String[]::new);
        String name = "nginx-test-" + definition.name() + "-" + runId;

        String id = docker.createContainerCmd(nginx.image())
                .withName(name)
                .withLabels(labels)
                .withEntrypoint("/bin/sh", NginxFiles.ENTRYPOINT)
                .withHostConfig(HostConfig.newHostConfig().withExtraHosts(hosts))
                .exec().getId();
        try {
            docker.copyArchiveToContainerCmd(id).withRemotePath("/").withTarInputStream(new ByteArrayInputStream(archive(plan)))
                    .exec();
            docker.startContainerCmd(id).exec();
            int exitCode = docker.waitContainerCmd(id).start().awaitStatusCode(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String output = toHostPaths(plan, logs(docker, id));
            List<Finding> findings = NginxTestReport.findings(output, nginx.confDir());
            if (exitCode == 0) {
                // nginx -t passed: only its warnings, if it had any.
                return findings.stream().filter(f -> !f.error() && f.line().contains(": nginx -t: ")).toList();
            }
            return output.isBlank()
                    ? List.of(Finding.error(nginx.confDir() + ": nginx -t: " + name + " (" + nginx.image()
                    + ") exited with code " + exitCode + " and printed nothing"))
                    : findings;
        } finally {
            try {
                docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException alreadyGone) {
                // nothing to remove
            }
        }
    }

    /** The files as the stage's nginx gets them, and an entrypoint that runs nginx -t and nothing else. */
    private static byte[] archive(StagePlan plan) {
        NginxSpec nginx = plan.definition().nginx();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            // The same command line as the stage's nginx: "daemon off" twice is an error nginx -t must see too.
            NginxFiles.archive(nginx, plan.nginxFiles(), java.util.Optional.empty(), NginxFiles.testCommand(plan.config()))
                    .transferTo(tar, "/");
            tar.finish();
        } catch (IOException e) {
            throw new ProxyStageException("cannot pack the conf.d of " + nginx.confDir() + " for nginx -t: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static String logs(DockerClient docker, String id) {
        StringBuilder text = new StringBuilder();
        try {
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (text) {
                        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }
            }).awaitCompletion(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (text) {
            return text.toString();
        }
    }

    /** nginx names container paths ({@code /etc/nginx/conf.d/app.conf:7}); users edit host files. */
    static String toHostPaths(StagePlan plan, String output) {
        Matcher m = CONTAINER_FILE_LINE.matcher(output);
        StringBuilder mapped = new StringBuilder();
        while (m.find()) {
            String host = plan.config().hostPathOf(m.group(1)).map(Object::toString).orElse(m.group(1));
            m.appendReplacement(mapped, Matcher.quoteReplacement(host + ":" + m.group(2)));
        }
        m.appendTail(mapped);
        return mapped.toString();
    }
}
