package dev.proxystage.internal.engine;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code nginx -t} said of a stage's configuration, run exactly as the stage runs nginx.
 *
 * @param passed  whether it exited 0
 * @param image   the nginx image it ran in
 * @param version the nginx version of that image, from {@code nginx -v}
 * @param output  nginx's lines, container paths mapped to the host files
 */
public record NginxVerdict(boolean passed, String image, Optional<String> version, String output) {

    /** The line of the output before what nginx said when it started, once {@code nginx -t} had passed. */
    public static final String START_PHASE = "proxystage-phase: start";

    private static final Pattern NGINX_LINE = Pattern.compile(
            "^(?:nginx: )?(?:\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d )?\\[(\\w+)\\] (?:\\d+#\\d+: )?(.*?)(?: in (/\\S+:\\d+))?$");

    /** nginx's error lines, {@code file:line} first, joined by "; " (its whole output when it has none such). */
    public String errors() {
        String lines = output.lines()
                .filter(l -> !l.isBlank() && !l.contains("test failed") && !l.contains("syntax is ok")
                        && !l.contains("test is successful") && !l.equals(START_PHASE))
                .map(NginxVerdict::fileLineFirst)
                .collect(Collectors.joining("; "));
        return lines.isEmpty() ? output.strip() : lines;
    }

    /** {@code nginx: [emerg] unknown directive "x" in /etc/nginx/conf.d/a.conf:5} as {@code /etc/nginx/conf.d/a.conf:5: unknown directive "x"}. */
    public static String fileLineFirst(String line) {
        Matcher m = NGINX_LINE.matcher(line.strip());
        if (!m.matches()) {
            return line.strip();
        }
        String level = m.group(1).equals("emerg") ? "" : m.group(1) + ": ";
        return m.group(3) == null ? level + m.group(2) : m.group(3) + ": " + level + m.group(2);
    }
}
