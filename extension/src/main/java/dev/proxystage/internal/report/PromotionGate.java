package dev.proxystage.internal.report;

import java.util.ArrayList;
import java.util.List;

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
