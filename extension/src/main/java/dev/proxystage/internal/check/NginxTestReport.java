package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a failed start of nginx into {@code check}'s lines. When {@code nginx -t} fails, the stage's error carries
 * nginx's own messages ({@code nginx: [emerg] unknown directive "x" in /host/conf.d/app.conf:6}, container paths
 * already mapped to the host files); each becomes {@code /host/conf.d/app.conf:6: nginx -t: unknown directive "x"}.
 * Any other failure (an image that is missing, a backend that never got healthy) is reported whole.
 */
final class NginxTestReport {

    // "nginx: [emerg] ..." on the terminal, "2026/11/27 01:00:21 [emerg] 11#11: ..." in the error log.
    private static final Pattern NGINX_LINE = Pattern.compile(
            "(?:nginx: |\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d )\\[(emerg|alert|crit|error|warn|notice)\\] (?:\\d+#\\d+: )?(.*)");
    // Greedy message: "host not found in upstream "x" in /path:5" is located by the LAST " in ".
    private static final Pattern LOCATED = Pattern.compile("(.*) in (.+):(\\d+)");

    private NginxTestReport() {
    }

    static List<CheckFinding> findings(String failure, Path confDir) {
        Set<CheckFinding> findings = new LinkedHashSet<>();
        for (String raw : failure.split("\\R")) {
            String line = raw.strip();
            Matcher nginx = NGINX_LINE.matcher(line);
            if (!nginx.matches()) {
                continue;
            }
            Matcher located = LOCATED.matcher(nginx.group(2));
            if (located.matches()) {
                findings.add(finding(nginx.group(1), located.group(2) + ":" + located.group(3), located.group(1)));
            } else {
                findings.add(finding(nginx.group(1), confDir.toString(), nginx.group(2)));
            }
        }
        if (findings.isEmpty()) {
            return List.of(CheckFinding.error(Rule.NGINX_TEST, failure));
        }
        return new ArrayList<>(findings);
    }

    private static CheckFinding finding(String level, String where, String message) {
        String text = "nginx -t: " + message;
        return switch (level) {
            case "warn", "notice", "info" -> CheckFinding.warning(Rule.NGINX_TEST, where, text);
            default -> CheckFinding.error(Rule.NGINX_TEST, where + ": " + text);
        };
    }
}
