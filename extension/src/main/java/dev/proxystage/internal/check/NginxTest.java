package dev.proxystage.internal.check;

import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.NginxVerdict;
import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code check}'s and {@code up}'s view of {@code nginx -t}, which the run does exactly as the stage runs nginx
 * ({@link CheckContext#nginxTest}): nginx's lines as findings at the host file and line.
 */
public final class NginxTest {

    private NginxTest() {
    }

    /**
     * The verdict's findings: its errors when it failed, its warnings either way. nginx names no file:line for what
     * fails after the parse (a file {@code ssl_dhparam} names that is missing, say); such a line is placed at the
     * directive whose argument is the path nginx quotes, when {@code config} has exactly one.
     */
    static List<CheckFinding> findings(StageDefinition definition, NginxVerdict verdict, Optional<NginxConfig> config) {
        String output = config.map(c -> locateQuotedPaths(verdict.output(), c)).orElse(verdict.output());
        int start = output.indexOf(NginxVerdict.START_PHASE);
        List<CheckFinding> findings = new ArrayList<>(NginxTestReport.findings(start < 0 ? output : output.substring(0, start),
                definition.nginx().confDir()));
        if (start >= 0) {
            // nginx -t passed; what follows is nginx's own start, as the stage would run it.
            // What nginx logs when it starts and stops well ([notice], [info]) is no finding.
            String started = output.substring(start + NginxVerdict.START_PHASE.length()).lines()
                    .filter(l -> !l.contains("[notice]") && !l.contains("[info]"))
                    .collect(Collectors.joining("\n"));
            NginxTestReport.findings(started, definition.nginx().confDir())
                    .stream().filter(f -> f.line().contains(": nginx -t: "))
                    .map(f -> new CheckFinding(f.error(), Problem.Rule.NGINX_AT_START, f.line().replaceFirst(": nginx -t: ", ": nginx at start: "), f.stage()))
                    .forEach(findings::add);
        }
        if (verdict.passed()) {
            return findings.stream().filter(f -> !f.error()
                    && (f.line().contains(": nginx -t: ") || f.line().contains(": nginx at start: "))).toList();
        }
        return findings;
    }

    /** {@code nginx -t} through {@code run}; empty when no engine answers. */
    public static Optional<List<CheckFinding>> run(CheckContext run, StageDefinition definition, Optional<NginxConfig> config) {
        return run.nginxTest(definition, config).map(verdict -> findings(definition, verdict, config));
    }

    private static final Pattern NGINX_LINE_WITHOUT_PLACE = Pattern.compile(
            "^((?:nginx: |\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d )\\[\\w+\\] .*?)$", Pattern.MULTILINE);
    private static final Pattern QUOTED_PATH = Pattern.compile("\"(/[^\"]+)\"");
    private static final Pattern PLACED = Pattern.compile(" in /\\S+:\\d+$");

    /** nginx's lines that name no place, with " in file:line" of the one directive that has the quoted path. */
    static String locateQuotedPaths(String output, NginxConfig config) {
        Matcher line = NGINX_LINE_WITHOUT_PLACE.matcher(output);
        StringBuilder located = new StringBuilder();
        while (line.find()) {
            String text = line.group(1);
            Optional<String> place = Optional.empty();
            if (!PLACED.matcher(text).find()) {
                Matcher path = QUOTED_PATH.matcher(text);
                if (path.find()) {
                    List<Directive> having = new ArrayList<>();
                    collect(config.directives(), path.group(1), having);
                    if (having.size() == 1) {
                        place = Optional.of(" in " + having.get(0).file() + ":" + having.get(0).line());
                    }
                }
            }
            line.appendReplacement(located, Matcher.quoteReplacement(text + place.orElse("")));
        }
        line.appendTail(located);
        return located.toString();
    }

    private static void collect(List<Directive> top, String path, List<Directive> having) {
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        Deque<Directive> open = new ArrayDeque<>(top);
        while (!open.isEmpty()) {
            Directive d = open.pop();
            if (d.args().contains(path)) {
                having.add(d);
            }
            d.block().forEach(open::push);
        }
    }
}
