package dev.proxystage.internal.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The matrix across stages and the promotion gate, on answers made up here: no Docker. */
class PromotionGateTest {

    static RouteAnswer answer(String route, String stage, int status, String backend, Integer upstream) {
        return new RouteAnswer("routes.yml", "routes.yml:" + route, route, stage, true, "", Optional.of(status),
                Optional.ofNullable(backend), Optional.ofNullable(backend).map(b -> stage), Optional.ofNullable(upstream), "", "");
    }

    private static final List<String> PIPELINE = List.of("seed", "wip", "prep", "ship", "prod");

    @Test
    void stagesThatAnswerAlikeArePromotableAndTheBackendsOwnStageIsNoDifference() {
        RouteMatrix matrix = RouteMatrix.of(List.of(
                answer("home", "prep", 200, "vaultwarden", 200), answer("home", "wip", 200, "vaultwarden", 200),
                answer("missing", "wip", 404, null, null), answer("missing", "prep", 404, null, null)), PIPELINE, Map.of());

        assertThat(matrix.stages()).containsExactly("wip", "prep");
        assertThat(matrix.differing()).isEmpty();
        PromotionGate.Verdict verdict = PromotionGate.judge(matrix, "prep", "wip");
        assertThat(verdict.promotable()).isTrue();
        assertThat(verdict.summary()).isEqualTo("prep same as wip: promotable (2 routes alike)");
    }

    @Test
    void aDriftBlocksThePromotionAndSaysWhatChanged() {
        RouteMatrix matrix = RouteMatrix.of(List.of(
                answer("admin", "wip", 200, "vaultwarden", 200), answer("admin", "prep", 403, null, null),
                answer("home", "wip", 200, "vaultwarden", 200), answer("home", "prep", 200, "vaultwarden", 502)),
                PIPELINE, Map.of());

        assertThat(matrix.differing()).extracting(RouteMatrix.Row::name).containsExactly("admin", "home");
        PromotionGate.Verdict verdict = PromotionGate.judge(matrix, "prep", "wip");
        assertThat(verdict.promotable()).isFalse();
        assertThat(verdict.lines()).containsExactly(
                "prep same as wip: NOT promotable (0 routes alike, 2 drifted)",
                "  DRIFT admin: wip 200 vaultwarden@wip (upstream 200), prep 403 nginx (routes.yml:admin)",
                "  DRIFT home: wip 200 vaultwarden@wip (upstream 200), prep 200 vaultwarden@prep (upstream 502) (routes.yml:home)");
    }

    @Test
    void aDifferenceTheTableDeclaresForTheCandidateIsAcceptedButOnlyThere() {
        List<RouteAnswer> answers = List.of(answer("admin", "wip", 200, "vaultwarden", 200), answer("admin", "prep", 403, null, null),
                answer("admin", "ship", 200, "vaultwarden", 200));
        RouteMatrix matrix = RouteMatrix.of(answers, PIPELINE, Map.of("routes.yml:admin", Map.of("prep", "prep hides admin")));

        PromotionGate.Verdict prep = PromotionGate.judge(matrix, "prep", "wip");
        assertThat(prep.promotable()).isTrue();
        assertThat(prep.of(PromotionGate.Kind.ON_PURPOSE)).singleElement()
                .satisfies(i -> assertThat(i.text()).endsWith("(prep hides admin)"));
        // ship is compared with prep: the declaration is prep's, not ship's
        assertThat(PromotionGate.judge(matrix, "ship", "prep").promotable()).isFalse();
    }

    @Test
    void aRouteOneStageDidNotRunIsNotCompared() {
        RouteMatrix matrix = RouteMatrix.of(List.of(answer("home", "wip", 200, "vaultwarden", 200),
                answer("only-wip", "wip", 200, "vaultwarden", 200), answer("home", "prep", 200, "vaultwarden", 200)),
                PIPELINE, Map.of());

        PromotionGate.Verdict verdict = PromotionGate.judge(matrix, "prep", "wip");
        assertThat(verdict.promotable()).isTrue();
        assertThat(verdict.of(PromotionGate.Kind.NOT_COMPARED)).singleElement()
                .satisfies(i -> assertThat(i.text()).isEqualTo("not run in prep"));
    }

    @Test
    void columnsFollowThePipelineAndAFailedRunOfARouteIsTheOneShown() {
        RouteAnswer failed = new RouteAnswer("routes.yml", "routes.yml:home", "home", "wip", false, "expected 200",
                Optional.of(500), Optional.empty(), Optional.empty(), Optional.empty(), "", "");
        RouteMatrix matrix = RouteMatrix.of(List.of(answer("home", "ship", 200, "vaultwarden", 200), failed,
                answer("home", "wip", 200, "vaultwarden", 200)), PIPELINE, Map.of());

        assertThat(matrix.stages()).containsExactly("wip", "ship");
        assertThat(matrix.rows().get(0).in("wip")).contains(failed);
        assertThat(matrix.rows().get(0).failed()).isTrue();
    }

    @Test
    void withoutGatesAskedForEachStageIsComparedWithTheOneBeforeIt() {
        RunEvidence evidence = new RunEvidence("r1");
        evidence.stageOrder(PIPELINE);
        List.of("ship", "wip", "prep").forEach(s -> evidence.answer(answer("home", s, 200, "vaultwarden", 200)));

        assertThat(evidence.verdicts()).extracting(PromotionGate.Verdict::summary).containsExactly(
                "prep same as wip: promotable (1 route alike)", "ship same as prep: promotable (1 route alike)");
        evidence.gate("ship", "wip");
        assertThat(evidence.verdicts()).extracting(PromotionGate.Verdict::summary)
                .containsExactly("ship same as wip: promotable (1 route alike)");
    }
}
