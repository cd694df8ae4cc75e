package dev.proxystage.internal.report;

import static dev.proxystage.internal.report.Html.escape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run's report as one HTML page: failing items first, then the matrix across stages and its gates, every route
 * and test, each stage's routing map, the coverage of conf.d and the static findings. Self-contained: styles inline,
 * no scripts, no fonts, no other files; a Content-Security-Policy forbids loading anything, so the page reads the
 * same offline. Every text that came from outside (names, header values, log lines) is escaped.
 */
public final class ReportPage {

    private static final String STYLE = """
            body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:80rem;padding:1rem 2rem;color:#1d2125}
            h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ccd;margin-top:2rem}h3{font-size:1rem}
            table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccd;padding:.2rem .5rem;text-align:left;vertical-align:top}
            th{background:#f0f2f5}pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;margin:.3rem 0}
            .fail{background:#fde8e8}.pass{background:#e8f6ec}.drift{background:#fff3cd}.purpose{background:#e7f0ff}
            .badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.85em;font-weight:600}
            .badge.fail{color:#8a1111}.badge.pass{color:#145c2c}.badge.drift{color:#6b4e00}.badge.purpose{color:#123d7a}
            .muted{color:#667}.code{font-family:ui-monospace,monospace;font-size:.9em}
            .conf{font-family:ui-monospace,monospace;font-size:.85em;white-space:pre;margin:0}
            .conf .hit{background:#d4f5dd}.conf .miss{background:#fbd5d5}.conf span.n{color:#889;display:inline-block;width:3.5em}
            ul.map{list-style:none;padding-left:1rem}summary{cursor:pointer}
            """;

    private ReportPage() {
    }

    /** The page for {@code evidence}; {@code coverage} when the build left one. */
    public static String render(RunEvidence evidence, Optional<Coverage> coverage) {
        RouteMatrix matrix = evidence.matrix();
        List<PromotionGate.Verdict> verdicts = evidence.verdicts();
        List<TestResult> tests = evidence.tests();
        List<RouteAnswer> answers = evidence.answers();
        List<StageMap> stages = evidence.stages();
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>ProxyStage report, run ").append(escape(evidence.runId())).append("</title>\n")
                .append("<style>").append(STYLE).append("</style></head><body>\n");
        long failedTests = tests.stream().filter(t -> !t.passed()).count();
        long failedRoutes = answers.stream().filter(a -> !a.passed()).count();
        long blocked = verdicts.stream().filter(v -> !v.promotable()).count();
        h.append("<h1>ProxyStage report</h1>\n<p>Run <span class=\"code\">").append(escape(evidence.runId()))
                .append("</span>, written ").append(escape(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()))
                .append(". Stages: ").append(escape(String.join(", ", stages.stream().map(StageMap::stage).toList())))
                .append(".</p>\n<p>")
                .append(badge(failedTests + failedRoutes == 0 && blocked == 0))
                .append(' ').append(tests.size()).append(" tests (").append(failedTests).append(" failed), ")
                .append(answers.size()).append(" route answers (").append(failedRoutes).append(" failed), ")
                .append(verdicts.size()).append(" promotion gates (").append(blocked).append(" not promotable).</p>\n");
        h.append("<nav><a href=\"#attention\">Needs attention</a> · <a href=\"#matrix\">Matrix across stages</a> · ")
                .append("<a href=\"#results\">Tests and routes</a> · <a href=\"#stages\">Routing maps</a> · ")
                .append("<a href=\"#coverage\">Coverage</a> · <a href=\"#findings\">Static findings</a></nav>\n");

        attention(h, tests, answers, verdicts);
        matrix(h, matrix, verdicts);
        results(h, tests, answers);
        stages(h, stages);
        coverage(h, coverage, stages);
        findings(h, stages);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void attention(StringBuilder h, List<TestResult> tests, List<RouteAnswer> answers,
                                  List<PromotionGate.Verdict> verdicts) {
        h.append("<h2 id=\"attention\">Needs attention</h2>\n");
        boolean any = false;
        for (PromotionGate.Verdict v : verdicts) {
            if (!v.promotable()) {
                any = true;
                h.append("<div class=\"drift\"><p>").append(badge("drift", "NOT promotable")).append(' ')
                        .append(escape(v.summary())).append("</p><ul>");
                v.of(PromotionGate.Kind.DRIFT).forEach(i -> h.append("<li><b>").append(escape(i.name())).append("</b>: ")
                        .append(escape(i.text())).append("</li>"));
                h.append("</ul></div>\n");
            }
        }
        for (TestResult t : tests) {
            if (!t.passed()) {
                any = true;
                h.append("<div class=\"fail\"><p>").append(badge(false)).append(" <b>").append(escape(t.name()))
                        .append("</b> <span class=\"muted\">stage ").append(escape(t.stage())).append("</span></p><pre>")
                        .append(escape(t.failure())).append("</pre>");
                if (!t.diagnostics().isEmpty()) {
                    h.append("<details open><summary>traces and log lines</summary><pre>").append(escape(t.diagnostics()))
                            .append("</pre></details>");
                }
                h.append("</div>\n");
            }
        }
        for (RouteAnswer a : answers) {
            if (!a.passed()) {
                any = true;
                h.append("<div class=\"fail\"><p>").append(badge(false)).append(" route <b>").append(escape(a.name()))
                        .append("</b> <span class=\"muted\">stage ").append(escape(a.stage())).append(", ")
                        .append(escape(a.route())).append("</span></p><pre>").append(escape(a.failure())).append("</pre>");
                if (!a.trace().isEmpty()) {
                    h.append("<p class=\"code\">").append(escape(a.trace())).append("</p>");
                }
                h.append("</div>\n");
            }
        }
        if (!any) {
            h.append("<p>Nothing: every test and route passed, and every gate is promotable.</p>\n");
        }
    }

    private static void matrix(StringBuilder h, RouteMatrix matrix, List<PromotionGate.Verdict> verdicts) {
        h.append("<h2 id=\"matrix\">Matrix across stages</h2>\n");
        if (matrix.isEmpty()) {
            h.append("<p class=\"muted\">No route table ran in this run.</p>\n");
            return;
        }
        h.append("<p>Each cell: the status nginx sent, who answered (backend@stage, or nginx) and the upstream's status. ")
                .append("A row whose stages answered differently is marked.</p>\n<table><tr><th>route</th>");
        matrix.stages().forEach(s -> h.append("<th>").append(escape(s)).append("</th>"));
        h.append("<th></th></tr>\n");
        List<RouteMatrix.Row> rows = new ArrayList<>(matrix.rows());
        rows.sort(Comparator.comparingInt(r -> r.failed() || r.differs() ? 0 : 1));
        for (RouteMatrix.Row row : rows) {
            h.append("<tr").append(row.differs() ? " class=\"drift\"" : "").append("><td>").append(escape(row.name()))
                    .append("<br><span class=\"muted code\">").append(escape(row.route())).append("</span></td>");
            for (String stage : matrix.stages()) {
                Optional<RouteAnswer> a = row.in(stage);
                if (a.isEmpty()) {
                    h.append("<td class=\"muted\">not run</td>");
                    continue;
                }
                h.append("<td class=\"").append(a.get().passed() ? "pass" : "fail").append("\">")
                        .append(escape(a.get().describe()));
                String why = row.differsOnPurpose().get(stage);
                if (why != null) {
                    h.append("<br>").append(badge("purpose", "differs on purpose")).append(' ').append(escape(why));
                }
                h.append("</td>");
            }
            h.append("<td>").append(row.differs() ? badge("drift", "stages differ") : "").append("</td></tr>\n");
        }
        h.append("</table>\n<h3>Promotion gates</h3>\n");
        if (verdicts.isEmpty()) {
            h.append("<p class=\"muted\">One stage ran: nothing to compare.</p>\n");
        }
        for (PromotionGate.Verdict v : verdicts) {
            h.append("<p>").append(v.promotable() ? badge("pass", "promotable") : badge("drift", "NOT promotable"))
                    .append(' ').append(escape(v.summary())).append("</p>\n");
            List<PromotionGate.Item> notable = v.items().stream().filter(i -> i.kind() != PromotionGate.Kind.SAME).toList();
            if (!notable.isEmpty()) {
                h.append("<ul>");
                notable.forEach(i -> h.append("<li>").append(escape(i.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')))
                        .append(": <b>").append(escape(i.name())).append("</b>: ").append(escape(i.text())).append("</li>"));
                h.append("</ul>\n");
            }
        }
    }

    private static void results(StringBuilder h, List<TestResult> tests, List<RouteAnswer> answers) {
        h.append("<h2 id=\"results\">Tests and routes</h2>\n<table><tr><th></th><th>test</th><th>stage</th><th>time</th></tr>\n");
        List<TestResult> sorted = new ArrayList<>(tests);
        sorted.sort(Comparator.comparing(TestResult::passed));
        for (TestResult t : sorted) {
            h.append("<tr class=\"").append(t.passed() ? "pass" : "fail").append("\"><td>").append(badge(t.passed()))
                    .append("</td><td>").append(escape(t.name()));
            if (!t.passed()) {
                h.append("<details><summary>").append(escape(t.failure().lines().findFirst().orElse(""))).append("</summary><pre>")
                        .append(escape(t.failure())).append(t.diagnostics().isEmpty() ? "" : "\n\n" + escape(t.diagnostics()))
                        .append("</pre></details>");
            }
            h.append("</td><td>").append(escape(t.stage())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.3f s", t.seconds())).append("</td></tr>\n");
        }
        h.append("</table>\n<h3>Route answers</h3>\n<table><tr><th></th><th>route</th><th>stage</th><th>answer</th><th>trace</th></tr>\n");
        List<RouteAnswer> sortedAnswers = new ArrayList<>(answers);
        sortedAnswers.sort(Comparator.comparing(RouteAnswer::passed));
        for (RouteAnswer a : sortedAnswers) {
            h.append("<tr class=\"").append(a.passed() ? "pass" : "fail").append("\"><td>").append(badge(a.passed()))
                    .append("</td><td>").append(escape(a.name())).append("<br><span class=\"muted code\">")
                    .append(escape(a.table())).append("</span></td><td>").append(escape(a.stage())).append("</td><td>")
                    .append(escape(a.describe()));
            if (!a.passed()) {
                h.append("<pre>").append(escape(a.failure())).append("</pre>");
            }
            h.append("</td><td class=\"code\">").append(escape(a.trace())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void stages(StringBuilder h, List<StageMap> stages) {
        h.append("<h2 id=\"stages\">Routing maps</h2>\n");
        for (StageMap s : stages) {
            h.append("<h3>stage ").append(escape(s.stage())).append("</h3>\n<p class=\"muted\">nginx ")
                    .append(escape(s.nginxImage())).append("; backends: ").append(escape(String.join(", ", s.backends())))
                    .append("</p>\n<ul class=\"map\">");
            for (StageMap.Server server : s.servers()) {
                h.append("<li>server <b>").append(escape(server.names().isEmpty() ? "\"\"" : String.join(" ", server.names())))
                        .append("</b> <span class=\"muted\">listen ").append(escape(String.join(", ", server.listens())))
                        .append(" · ").append(escape(server.where())).append("</span><ul class=\"map\">");
                for (StageMap.Place p : server.locations()) {
                    h.append("<li style=\"margin-left:").append(p.depth()).append("rem\">location <span class=\"code\">")
                            .append(escape(p.location())).append("</span> <span class=\"muted\">").append(escape(p.where()))
                            .append("</span>");
                    p.targets().forEach(t -> h.append("<br>→ <span class=\"code\">").append(escape(t)).append("</span>"));
                    h.append("</li>");
                }
                h.append("</ul></li>\n");
            }
            h.append("</ul>\n");
        }
    }

    private static void coverage(StringBuilder h, Optional<Coverage> coverage, List<StageMap> stages) {
        h.append("<h2 id=\"coverage\">Coverage of conf.d</h2>\n");
        if (coverage.isEmpty()) {
            h.append("<p class=\"muted\">No coverage.json beside this report.</p>\n");
            return;
        }
        for (Coverage.StageCoverage c : coverage.get().stages()) {
            h.append("<h3>stage ").append(escape(c.stage())).append(": ")
                    .append(String.format(Locale.ROOT, "%.1f %%", c.percent())).append("</h3>\n");
            Map<String, Map<Integer, Long>> byFile = new TreeMap<>();
            List<Coverage.Hit> all = new ArrayList<>(c.servers());
            all.addAll(c.locations());
            all.forEach(hit -> byFile.computeIfAbsent(hit.file(), k -> new TreeMap<>()).merge(hit.line(), hit.hits(), Long::sum));
            Map<String, List<Coverage.Hit>> unreached = new LinkedHashMap<>();
            all.stream().filter(hit -> hit.hits() == 0)
                    .forEach(hit -> unreached.computeIfAbsent(hit.file(), k -> new ArrayList<>()).add(hit));
            for (var file : byFile.entrySet()) {
                Optional<List<String>> lines = read(file.getKey(), stages);
                long reached = file.getValue().values().stream().filter(n -> n > 0).count();
                h.append("<details").append(unreached.containsKey(file.getKey()) ? " open" : "").append("><summary>")
                        .append(escape(file.getKey())).append(": ").append(reached).append(" of ").append(file.getValue().size())
                        .append(" blocks reached</summary>\n");
                if (lines.isEmpty()) {
                    h.append("<ul>");
                    all.stream().filter(hit -> hit.file().equals(file.getKey())).forEach(hit -> h.append("<li class=\"")
                            .append(hit.hits() > 0 ? "pass" : "fail").append("\">line ").append(hit.line()).append(' ')
                            .append(escape(hit.what())).append(": ").append(hit.hits()).append(" hits</li>"));
                    h.append("</ul>");
                } else {
                    h.append("<pre class=\"conf\">");
                    for (int i = 0; i < lines.get().size(); i++) {
                        Long hits = file.getValue().get(i + 1);
                        h.append("<span class=\"").append(hits == null ? "" : hits > 0 ? "hit" : "miss").append("\">")
                                .append("<span class=\"n\">").append(i + 1).append("</span>").append(escape(lines.get().get(i)))
                                .append(hits == null ? "" : "  # " + hits + (hits == 1 ? " hit" : " hits")).append("</span>\n");
                    }
                    h.append("</pre>");
                }
                h.append("</details>\n");
            }
        }
    }

    /** A coverage file's lines: the conf.d file of a stage whose path ends with it, else the path itself. */
    private static Optional<List<String>> read(String file, List<StageMap> stages) {
        String suffix = file.replace('\\', '/');
        Set<Path> candidates = new LinkedHashSet<>();
        stages.forEach(s -> s.files().stream().filter(f -> f.toString().replace('\\', '/').endsWith("/" + suffix)
                || f.toString().equals(suffix)).forEach(candidates::add));
        candidates.add(Path.of(file));
        for (Path p : candidates) {
            try {
                if (Files.isRegularFile(p)) {
                    return Optional.of(Files.readAllLines(p, StandardCharsets.UTF_8));
                }
            } catch (IOException | RuntimeException e) {
                // shown as a list of blocks instead
            }
        }
        return Optional.empty();
    }

    private static void findings(StringBuilder h, List<StageMap> stages) {
        h.append("<h2 id=\"findings\">Static findings</h2>\n");
        Map<String, List<String>> byLine = new LinkedHashMap<>();
        stages.forEach(s -> s.findings().forEach(f -> byLine.computeIfAbsent(f, k -> new ArrayList<>()).add(s.stage())));
        if (byLine.isEmpty()) {
            h.append("<p>None: the static check found nothing in the stages of this run.</p>\n");
            return;
        }
        h.append("<ul>");
        byLine.forEach((line, in) -> h.append("<li class=\"code\">").append(escape(line)).append(" <span class=\"muted\">(")
                .append(in.size() == 1 ? "stage " : "stages ").append(escape(String.join(", ", in))).append(")</span></li>\n"));
        h.append("</ul>\n");
    }

    private static String badge(boolean passed) {
        return passed ? badge("pass", "PASS") : badge("fail", "FAIL");
    }

    private static String badge(String kind, String text) {
        return "<span class=\"badge " + kind + "\">" + escape(text) + "</span>";
    }

    /** Writes the page to {@code dir}/index.html (beside any coverage.json there) and returns the file. */
    public static Path write(Path dir, RunEvidence evidence) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("index.html");
            Path tmp = dir.resolve("index.html.tmp");
            Files.writeString(tmp, render(evidence, Coverage.besideReport(dir)), StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new dev.proxystage.ProxyStageException("cannot write the report in " + dir + ": " + e.getMessage());
        }
    }
}
