package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.logs.TraceLog;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.plan.FileContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * What an nginx container of a stage receives, as one archive: the user's conf.d, main nginx.conf and extra
 * directories, the plan's generated files, all staged under {@link #STAGING}, and an entrypoint script that puts
 * them in place (conf.d REPLACES the image's, as a bind mount would; nothing in it is edited) and then runs the
 * given command. Shared by the stage and by {@code check --nginx-test}, so both run nginx on the same files.
 */
public final class NginxFiles {

    /** Where the files wait until the entrypoint copies them to their absolute paths. */
    public static final String STAGING = "/proxystage/root";
    /** The entrypoint script. */
    public static final String ENTRYPOINT = "/proxystage/start.sh";

    private NginxFiles() {
    }

    /**
     * What nginx runs with on its command line in a stage: {@code -g 'daemon off;'}, which keeps it in the
     * foreground as a container's process must be, unless the main nginx.conf sets {@code daemon} itself (nginx
     * refuses a directive set twice, {@code "daemon" directive is duplicate}; {@code daemon on;} is refused before
     * by the plan). {@code nginx -t} gets the same, so that it tests what starts.
     */
    public static String globals(NginxConfig config) {
        return config.daemon().isPresent() ? "" : " -g 'daemon off;'";
    }

    /** The stage's command: {@code nginx -t} must pass before nginx starts in the foreground. */
    static String startCommand(NginxConfig config) {
        return "nginx -t -q" + globals(config) + "\nexec nginx" + globals(config);
    }

    /**
     * The archive for {@code spec} plus {@code files} (absolute container path to content). With a {@code traceConf},
     * ProxyStage's routing-trace log joins the http block of the main nginx.conf; {@code command} runs last.
     */
    public static Transferable archive(NginxSpec spec, Map<String, FileContent> files,
                                      Optional<String> traceConf, String command) {
        return archive(spec, files, traceConf, STAGING, ENTRYPOINT,
                "#!/bin/sh\n"
                + "# Written by ProxyStage. The user's conf.d replaces the image's; nothing in it is edited.\n"
                + "set -e\n"
                + placement(STAGING, traceConf.isPresent())
                + command + "\n");
    }

    /** The files of {@code spec} and {@code files} under {@code staging}, and {@code script} at {@code scriptPath}. */
    static Transferable archive(NginxSpec spec, Map<String, FileContent> files,
                                Optional<String> traceConf, String staging, String scriptPath, String script) {
        boolean traced = traceConf.isPresent();
        StagedFiles staged = new StagedFiles()
                .add(staging + NginxSpec.CONF_D, MountableFile.forHostPath(spec.confDir()))
                .add(scriptPath, Transferable.of(script.getBytes(StandardCharsets.US_ASCII), 0755));
        if (traced) {
            staged.add(staging + TraceLog.CONF_PATH, Transferable.of(traceConf.get().getBytes(StandardCharsets.US_ASCII), 0644));
        }
        spec.files().forEach((containerPath, hostPath) -> staged.add(staging + containerPath, MountableFile.forHostPath(hostPath)));
        spec.mainConfig().ifPresent(main -> staged.add(staging + NginxSpec.MAIN_CONFIG, MountableFile.forHostPath(main)));
        files.forEach((containerPath, content) -> staged.add(staging + containerPath, Transferable.of(content.bytes(), content.mode())));
        return staged;
    }

    /**
     * As {@link #globals(NginxConfig)} for a main config ProxyStage could not parse: a {@code daemon} directive at the
     * start of one of its lines.
     */
    static String globals(NginxSpec spec) {
        if (spec.mainConfig().isEmpty()) {
            return " -g 'daemon off;'";
        }
        try {
            boolean saysDaemon = Files.readAllLines(spec.mainConfig().get()).stream()
                    .anyMatch(line -> line.strip().startsWith("daemon ") || line.strip().startsWith("daemon\t"));
            return saysDaemon ? "" : " -g 'daemon off;'";
        } catch (IOException | UncheckedIOException unreadable) {
            return " -g 'daemon off;'";
        }
    }

    /**
     * Shell lines that put the files staged under {@code staging} in place. The trace include is added once only:
     * with the image's own nginx.conf, a reload places the files again over an nginx.conf that already has it.
     */
    static String placement(String staging, boolean traced) {
        String trace = !traced ? "" : "# ProxyStage's trace log joins the http context of the main nginx.conf.\n"
                + "if grep -qF 'include " + TraceLog.CONF_PATH + ";' " + NginxSpec.MAIN_CONFIG + "; then\n"
                + "  :\n"
                + "elif grep -q '^[[:space:]]*http[[:space:]]*{' " + NginxSpec.MAIN_CONFIG + "; then\n"
                // On the line of "http {" itself: every line nginx names keeps its number in the user's file.
                + "  sed -i '0,/^[[:space:]]*http[[:space:]]*{/s##& include " + TraceLog.CONF_PATH + ";#' "
                + NginxSpec.MAIN_CONFIG + "\n"
                + "else\n"
                + "  echo 'proxystage: no http block in " + NginxSpec.MAIN_CONFIG + "; routing traces are off' >&2\n"
                + "fi\n";
        return "rm -rf " + NginxSpec.CONF_D + "\n"
                + "cp -R " + staging + "/. /\n"
                + trace;
    }
}
