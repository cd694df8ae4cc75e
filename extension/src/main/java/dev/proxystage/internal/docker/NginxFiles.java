package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.logs.TraceLog;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
     * The archive for {@code spec} plus {@code files} (absolute container path to content). With a {@code traceConf},
     * ProxyStage's routing-trace log joins the http block of the main nginx.conf; {@code command} runs last.
     */
    public static Transferable archive(NginxSpec spec, Map<String, dev.proxystage.internal.plan.FileContent> files,
                                      java.util.Optional<String> traceConf, String command) {
        boolean traced = traceConf.isPresent();
        StagedFiles staged = new StagedFiles()
                .add(STAGING + NginxSpec.CONF_D, MountableFile.forHostPath(spec.confDir()))
                .add(ENTRYPOINT, Transferable.of(script(traced, command), 0755));
        if (traced) {
            staged.add(STAGING + TraceLog.CONF_PATH, Transferable.of(traceConf.get().getBytes(StandardCharsets.US_ASCII), 0644));
        }
        spec.files().forEach((containerPath, hostPath) -> staged.add(STAGING + containerPath, MountableFile.forHostPath(hostPath)));
        spec.mainConfig().ifPresent(main -> staged.add(STAGING + NginxSpec.MAIN_CONFIG, MountableFile.forHostPath(main)));
        files.forEach((containerPath, content) -> staged.add(STAGING + containerPath, Transferable.of(content.bytes(), content.mode())));
        return staged;
    }

    private static byte[] script(boolean traced, String command) {
        String trace = !traced ? "" : "# ProxyStage's trace log joins the http context of the main nginx.conf.\n"
                + "if grep -q '^[[:space:]]*http[[:space:]]*{' " + NginxSpec.MAIN_CONFIG + "; then\n"
                + "  sed -i '0,/^[[:space:]]*http[[:space:]]*{/s##&\\n    include " + TraceLog.CONF_PATH + ";#' "
                + NginxSpec.MAIN_CONFIG + "\n"
                + "else\n"
                + "  echo 'proxystage: no http block in " + NginxSpec.MAIN_CONFIG + "; routing traces are off' >&2\n"
                + "fi\n";
        return ("#!/bin/sh\n"
                + "# Written by ProxyStage. The user's conf.d replaces the image's; nothing in it is edited.\n"
                + "set -e\n"
                + "rm -rf " + NginxSpec.CONF_D + "\n"
                + "cp -R " + STAGING + "/. /\n"
                + trace
                + command + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
