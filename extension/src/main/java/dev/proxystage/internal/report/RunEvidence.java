package dev.proxystage.internal.report;

import dev.proxystage.Stage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * What one run found, gathered while it runs: each stage's routing map, every route answer and test result, the
 * route tables' on-purpose differences, and the gates asked for. Thread-safe; recording is a list append, so it
 * costs a request next to nothing.
 */
public final class RunEvidence {

    /** The run each started stage belongs to, so a route check given only the stage finds where to record. */
    private static final Map<Stage, RunEvidence> BY_STAGE = Collections.synchronizedMap(new WeakHashMap<>());

    private final String runId;
    private final Map<String, StageMap> stages = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<RouteAnswer> answers = Collections.synchronizedList(new ArrayList<>());
    private final List<TestResult> tests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Map<String, String>> differs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String[]> gates = Collections.synchronizedList(new ArrayList<>());
    private volatile List<String> stageOrder = List.of();

    public RunEvidence(String runId) {
        this.runId = runId;
    }

    /** {@code stage} records into this run's evidence from now on. */
    public void bind(Stage stage, StageMap map) {
        BY_STAGE.put(stage, this);
        if (map != null) {
            map(map);
        }
    }

    /** A stage's routing map; the first one a stage name gets stays. */
    public void map(StageMap map) {
        stages.putIfAbsent(map.stage(), map);
    }

    /** {@code stage} records nothing from now on (what a run without a report costs, for the benchmark). */
    public static void unbind(Stage stage) {
        BY_STAGE.remove(stage);
    }

    /** The evidence of the run that started {@code stage}, if one did. */
    public static Optional<RunEvidence> of(Stage stage) {
        return Optional.ofNullable(BY_STAGE.get(stage));
    }

    /** The pipeline's stage order, for the matrix's columns. */
    public void stageOrder(List<String> order) {
        if (order.size() > stageOrder.size()) {
            stageOrder = List.copyOf(order);
        }
    }

    public void answer(RouteAnswer answer) {
        answers.add(answer);
    }

    public void test(TestResult result) {
        tests.add(result);
    }

    /** The table's word that {@code route} differs on purpose in {@code stage}, because {@code why}. */
    public void differs(String route, String stage, String why) {
        differs.computeIfAbsent(route, k -> Collections.synchronizedMap(new LinkedHashMap<>())).put(stage, why);
    }

    /** The report judges promoting {@code candidate} against {@code baseline}. */
    public void gate(String candidate, String baseline) {
        gates.add(new String[] {candidate, baseline});
    }

    /**
     * The run's promotion gate against {@code baseline} ({@code setting} names it): every other stage that answered
     * is judged against it, and the report shows those verdicts. Empty when it passes; else the failure.
     */
    public Optional<String> promotionGate(String baseline, String setting) {
        RouteMatrix matrix = matrix();
        matrix.stages().stream().filter(s -> !s.equals(baseline)).forEach(s -> gate(s, baseline));
        return PromotionGate.runGate(matrix, baseline, setting);
    }

    public String runId() {
        return runId;
    }

    public boolean isEmpty() {
        return stages.isEmpty() && answers.isEmpty() && tests.isEmpty();
    }

    public List<StageMap> stages() {
        synchronized (stages) {
            return List.copyOf(stages.values());
        }
    }

    public List<TestResult> tests() {
        synchronized (tests) {
            return List.copyOf(tests);
        }
    }

    public List<RouteAnswer> answers() {
        synchronized (answers) {
            return List.copyOf(answers);
        }
    }

    public RouteMatrix matrix() {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        synchronized (differs) {
            differs.forEach((route, byStage) -> copy.put(route, Map.copyOf(byStage)));
        }
        List<String> order = new ArrayList<>(stageOrder);
        stages().forEach(s -> {
            if (!order.contains(s.stage())) {
                order.add(s.stage());
            }
        });
        return RouteMatrix.of(answers(), order, copy);
    }

    /**
     * The gates asked for; without any, each stage of the matrix against the one before it (wip against seed, prep
     * against wip, ...), which is what promoting along the pipeline asks.
     */
    public List<PromotionGate.Verdict> verdicts() {
        RouteMatrix matrix = matrix();
        List<String[]> asked;
        synchronized (gates) {
            asked = List.copyOf(gates);
        }
        List<PromotionGate.Verdict> verdicts = new ArrayList<>();
        if (!asked.isEmpty()) {
            asked.stream().distinct().forEach(g -> verdicts.add(PromotionGate.judge(matrix, g[0], g[1])));
            return verdicts;
        }
        for (int i = 1; i < matrix.stages().size(); i++) {
            verdicts.add(PromotionGate.judge(matrix, matrix.stages().get(i), matrix.stages().get(i - 1)));
        }
        return verdicts;
    }
}
