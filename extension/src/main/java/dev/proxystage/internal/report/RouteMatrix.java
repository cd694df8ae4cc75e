package dev.proxystage.internal.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The same route tables run on several stages, as one matrix: route × stage → how it answered. A row whose stages
 * answered differently is flagged; a stage the table says differs on purpose is flagged too, and named so.
 */
public final class RouteMatrix {

    /** One route across stages: its answers by stage, and the stages where the table says it differs on purpose. */
    public record Row(String route, String name, Map<String, RouteAnswer> answers, Map<String, String> differsOnPurpose) {

        public Optional<RouteAnswer> in(String stage) {
            return Optional.ofNullable(answers.get(stage));
        }

        /** Whether the stages that ran this route answered differently. */
        public boolean differs() {
            return answers.values().stream().map(RouteAnswer::key).distinct().count() > 1;
        }

        /** Whether it failed in any stage. */
        public boolean failed() {
            return answers.values().stream().anyMatch(a -> !a.passed());
        }
    }

    private final List<String> stages;
    private final List<Row> rows;

    private RouteMatrix(List<String> stages, List<Row> rows) {
        this.stages = List.copyOf(stages);
        this.rows = List.copyOf(rows);
    }

    /**
     * The matrix of {@code answers}: rows in the order routes first answered, columns in {@code stageOrder} (the
     * pipeline's), then any other stage that answered. {@code differs} gives, by route, the stages the table says
     * differ on purpose, with why.
     */
    public static RouteMatrix of(Collection<RouteAnswer> answers, List<String> stageOrder, Map<String, Map<String, String>> differs) {
        Set<String> answered = new LinkedHashSet<>();
        answers.forEach(a -> answered.add(a.stage()));
        List<String> stages = new ArrayList<>(stageOrder.stream().filter(answered::contains).toList());
        answered.stream().filter(s -> !stages.contains(s)).forEach(stages::add);
        Map<String, Map<String, RouteAnswer>> byRoute = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (RouteAnswer a : answers) {
            // A route that ran twice in a stage (two classes with one table): the failing answer is the one to see.
            byRoute.computeIfAbsent(a.route(), k -> new LinkedHashMap<>()).merge(a.stage(), a,
                    (old, now) -> old.passed() ? now : old);
            names.putIfAbsent(a.route(), a.name());
        }
        List<Row> rows = new ArrayList<>();
        byRoute.forEach((route, cells) -> rows.add(new Row(route, names.get(route), Map.copyOf(cells),
                Map.copyOf(differs.getOrDefault(route, Map.of())))));
        return new RouteMatrix(stages, rows);
    }

    /** The stages, in pipeline order. */
    public List<String> stages() {
        return stages;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Rows whose stages answered differently. */
    public List<Row> differing() {
        return rows.stream().filter(Row::differs).toList();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }
}
