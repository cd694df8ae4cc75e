package dev.proxystage.internal.docker;

import dev.proxystage.internal.engine.NginxVerdict;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's own output in the user's terms: container paths as the host files they came from, and {@code file:line}
 * first. One place for the start, the reload and {@code check}'s {@code nginx -t}.
 */
public final class NginxOutput {

    private static final Pattern CONTAINER_FILE_LINE = Pattern.compile("(/[^\\s:\"']+):(\\d+)");

    private NginxOutput() {
    }

    /** nginx names container paths ({@code /etc/nginx/conf.d/app.conf:7}); users edit host files. */
    public static String toHostPaths(String text, Function<String, Optional<Path>> hostPathOf) {
        Matcher m = CONTAINER_FILE_LINE.matcher(text);
        StringBuilder mapped = new StringBuilder();
        while (m.find()) {
            String host = hostPathOf.apply(m.group(1)).map(Object::toString).orElse(m.group(1));
            m.appendReplacement(mapped, Matcher.quoteReplacement(host + ":" + m.group(2)));
        }
        m.appendTail(mapped);
        return mapped.toString();
    }

    /** As {@link NginxVerdict#fileLineFirst}. */
    public static String fileLineFirst(String line) {
        return NginxVerdict.fileLineFirst(line);
    }
}
