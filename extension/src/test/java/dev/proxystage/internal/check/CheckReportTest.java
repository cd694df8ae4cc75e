package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A finding that holds in several stages is one line naming them, whether or not its message names a stage. */
class CheckReportTest {

    private static final List<String> STAGES = List.of("seed", "wip", "prep", "ship");

    private static List<String> texts(List<CheckFinding> findings, int stages) {
        return CheckReport.lines(findings, stages).stream().map(CheckReport.Line::text).toList();
    }

    /** The same findings in each stage, as StageCheck reports them, stage after stage. */
    private static List<CheckFinding> everyStage(String... lines) {
        List<CheckFinding> all = new ArrayList<>();
        for (String stage : STAGES) {
            for (String line : lines) {
                all.add(new CheckFinding(!line.contains("warning: "), Rule.BACKEND_UNKNOWN, line.replace("{stage}", stage), stage));
            }
        }
        return all;
    }

    @Test
    void fourFindingsInFourStagesAreFourLinesNamingTheStages() {
        List<String> lines = texts(everyStage(
                "conf.d/app.conf:3: upstream host 'foo' is not a backend of stage '{stage}' (known backends: app)",
                "conf.d/app.conf:9: warning: host '10.0.0.5' is a literal IP address, not reachable as a stage backend",
                "conf.d: warning: backend 'spare' of stage '{stage}' is not used by any proxy_pass",
                "routes.yml:4:5: route 'x': no server block listens on port 8443 in stage {stage} (conf.d listens on [80])"),
                STAGES.size());

        assertThat(lines).containsExactly(
                "conf.d/app.conf:3: upstream host 'foo' is not a backend of stages seed, wip, prep, ship (known"
                        + " backends: app)",
                "conf.d/app.conf:9: warning: host '10.0.0.5' is a literal IP address, not reachable as a stage backend"
                        + " (stages seed, wip, prep, ship)",
                "conf.d: warning: backend 'spare' of stages seed, wip, prep, ship is not used by any proxy_pass",
                "routes.yml:4:5: route 'x': no server block listens on port 8443 in stages seed, wip, prep, ship"
                        + " (conf.d listens on [80])");
    }

    @Test
    void aFindingOfSomeStagesNamesThoseAndOneOfOneStageStaysAsFound() {
        List<CheckFinding> findings = List.of(
                new CheckFinding(false, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:2: warning: w", "wip"),
                new CheckFinding(false, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:2: warning: w", "prep"),
                new CheckFinding(true, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:5: upstream host 'x' is not a backend of stage 'prep' (known"
                        + " backends: app)", "prep"),
                new CheckFinding(true, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:7: e", "ship"));

        assertThat(texts(findings, 4)).containsExactly(
                "conf.d/a.conf:2: warning: w (stages wip, prep)",
                "conf.d/a.conf:5: upstream host 'x' is not a backend of stage 'prep' (known backends: app)",
                "conf.d/a.conf:7: e (stage ship)");
    }

    @Test
    void withOneStageCheckedNothingIsAdded() {
        assertThat(texts(List.of(new CheckFinding(true, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:7: e", "prep")), 1))
                .containsExactly("conf.d/a.conf:7: e");
    }

    @Test
    void findingsOfThePipelineAsAWholeAndOtherTextAreLeftAlone() {
        List<CheckFinding> findings = List.of(CheckFinding.error(Rule.PIPELINE_CONFIG, "pipeline.yml:3:1: stage 'prp' is not in pipeline.yml"),
                new CheckFinding(true, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:1: host 'app-prep' carries a stage suffix", "prep"),
                new CheckFinding(true, Rule.BACKEND_UNKNOWN, "conf.d/a.conf:1: host 'app-prep' carries a stage suffix", "ship"),
                new CheckFinding(true, Rule.BACKEND_UNKNOWN, "conf.d/b.conf:1: the stage prepared nothing", "prep"));

        assertThat(texts(findings, 2)).containsExactly(
                "pipeline.yml:3:1: stage 'prp' is not in pipeline.yml",
                "conf.d/a.conf:1: host 'app-prep' carries a stage suffix (stages prep, ship)",
                "conf.d/b.conf:1: the stage prepared nothing (stage prep)");
    }

    @Test
    void anErrorAndAWarningWithTheSameTextStayTwoLines() {
        List<CheckFinding> findings = List.of(new CheckFinding(true, Rule.BACKEND_UNKNOWN, "a.conf:1: x", "wip"), new CheckFinding(false, Rule.BACKEND_UNKNOWN, "a.conf:1: x", "prep"));

        assertThat(CheckReport.lines(findings, 2)).extracting(CheckReport.Line::error).containsExactly(true, false);
    }
}
