package dev.proxystage.internal.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a stage may be promoted: every route answers in it as in the stage before it (the baseline), except where
 * the route table says the stage differs on purpose. A route one of the two stages did not run is not compared.
 */
public final class PromotionGate {

    private PromotionGate() {
    }

    /** How one route compared. */
    public enum Kind {
        /** Answered differently, and the table does not say why: blocks the promotion. */
        DRIFT,
        /** Answered differently, as the table says it may. */
        ON_PURPOSE,
        /** Not run in one of the two stages. */
        NOT_COMPARED,
        SAME
    }

    public record Item(Kind kind, String route, String name, String text) {
    }

    /** The gate's verdict on promoting {@code candidate}, compared with {@code baseline}. */
    public record Verdict(String candidate, String baseline, List<Item> items) {

        public boolean promotable() {
            return items.stream().noneMatch(i -> i.kind() == Kind.DRIFT);
        }

        public List<Item> of(Kind kind) {
            return items.stream().filter(i -> i.kind() == kind).toList();
        }

        /** One line: {@code prep same as wip: promotable (4 routes alike, 1 differs on purpose)}. */
        public String summary() {
            long same = of(Kind.SAME).size();
            String counts = same + (same == 1 ? " route" : " routes") + " alike"
                    + (of(Kind.DRIFT).isEmpty() ? "" : ", " + of(Kind.DRIFT).size() + " drifted")
                    + (of(Kind.ON_PURPOSE).isEmpty() ? "" : ", " + of(Kind.ON_PURPOSE).size() + " differ on purpose")
                    + (of(Kind.NOT_COMPARED).isEmpty() ? "" : ", " + of(Kind.NOT_COMPARED).size() + " not compared");
            return candidate + " same as " + baseline + ": " + (promotable() ? "promotable" : "NOT promotable")
                    + " (" + counts + ")";
        }

        /** The summary, then one line per route that did not answer alike. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(summary());
            for (Kind kind : List.of(Kind.DRIFT, Kind.ON_PURPOSE, Kind.NOT_COMPARED)) {
                of(kind).forEach(i -> lines.add("  " + label(kind) + " " + i.name() + ": " + i.text()));
            }
            return lines;
        }

        private static String label(Kind kind) {
            return switch (kind) {
                case DRIFT -> "DRIFT";
                case ON_PURPOSE -> "on purpose";
                case NOT_COMPARED -> "not compared";
                case SAME -> "same";
            };
        }
    }

    /**
     * The gate of a whole run ({@code setting}, e.g. {@code proxystage.promotion.sameAs=wip}): every other stage of
     * {@code matrix} against {@code baseline}. Empty when all may be promoted, or when no route table ran; else the
     * failure, listing every drifted route by stage. A baseline that answered nothing while other stages did is a
     * failure too: the gate would otherwise pass without comparing anything.
     */
    public static Optional<String> runGate(RouteMatrix matrix, String baseline, String setting) {
        List<String> candidates = matrix.stages().stream().filter(s -> !s.equals(baseline)).toList();
        if (matrix.isEmpty() || candidates.isEmpty()) {
            return Optional.empty();
        }
        if (!matrix.stages().contains(baseline)) {
            return Optional.of(setting + ": no route of a route table ran on stage " + baseline
                    + ", so " + String.join(", ", candidates) + " cannot be compared with it; run the table on "
                    + baseline + " too (@ForEachStage({\"" + baseline + "\", \"" + candidates.get(0) + "\"}))");
        }
        List<Verdict> blocked = candidates.stream().map(c -> judge(matrix, c, baseline)).filter(v -> !v.promotable())
                .toList();
        if (blocked.isEmpty()) {
            return Optional.empty();
        }
        long drifted = blocked.stream().mapToLong(v -> v.of(Kind.DRIFT).size()).sum();
        StringBuilder text = new StringBuilder(setting + ": " + drifted + (drifted == 1 ? " route answers" : " routes answer")
                + " differently from " + baseline + " (a route that differs on purpose says why: differs: \"<why>\""
                + " under its stage in the route table):");
        blocked.forEach(v -> v.lines().forEach(line -> text.append("\n").append(line)));
        return Optional.of(text.toString());
    }

    public static Verdict judge(RouteMatrix matrix, String candidate, String baseline) {
        List<Item> items = new ArrayList<>();
        for (RouteMatrix.Row row : matrix.rows()) {
            var now = row.in(candidate);
            var before = row.in(baseline);
            if (now.isEmpty() || before.isEmpty()) {
                items.add(new Item(Kind.NOT_COMPARED, row.route(), row.name(), "not run in "
                        + (now.isEmpty() && before.isEmpty() ? candidate + " nor " + baseline : now.isEmpty() ? candidate : baseline)));
                continue;
            }
            if (now.get().key().equals(before.get().key())) {
                items.add(new Item(Kind.SAME, row.route(), row.name(), now.get().describe()));
                continue;
            }
            String change = baseline + " " + before.get().describe() + ", " + candidate + " " + now.get().describe();
            String reason = row.differsOnPurpose().get(candidate);
            items.add(reason != null
                    ? new Item(Kind.ON_PURPOSE, row.route(), row.name(), change + " (" + reason + ")")
                    : new Item(Kind.DRIFT, row.route(), row.name(), change + " (" + row.route() + ")"));
        }
        return new Verdict(candidate, baseline, List.copyOf(items));
    }
}
