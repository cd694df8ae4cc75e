package dev.proxystage.internal.check;

import dev.proxystage.internal.nginx.Problem.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code check}'s lines: every stage reads the same conf.d, so a finding that holds in several stages is one line
 * naming them ({@code conf.d/app.conf:3: warning: ... (stages seed, wip, prep)}), also when its message names the
 * stage it was found in ({@code backend 'x' of stage 'prep' is not used} becomes {@code backend 'x' of stages seed,
 * wip, prep is not used}).
 */
public final class CheckReport {

    /** Where a message named the stage; never in a real message. */
    private static final String STAGE = "\u0000stage\u0000";

    /** One printed line: whether it is an error, its rule, and its text. */
    public record Line(boolean error, Rule rule, String text) {
    }

    private CheckReport() {
    }

    /**
     * The lines to print, in the order their findings first appear.
     *
     * @param stagesChecked how many stages were checked: with one, no line names it
     */
    static List<Line> lines(List<CheckFinding> findings, int stagesChecked) {
        record Group(CheckFinding first, String neutral, Set<String> stages) {
        }
        Map<String, Group> groups = new LinkedHashMap<>();
        for (CheckFinding f : findings) {
            String neutral = f.stage() == null ? f.line() : neutral(f.line(), f.stage());
            Group g = groups.computeIfAbsent((f.error() ? "E" : "W") + neutral,
                    k -> new Group(f, neutral, new LinkedHashSet<>()));
            if (f.stage() != null) {
                g.stages().add(f.stage());
            }
        }
        List<Line> lines = new ArrayList<>();
        for (Group g : groups.values()) {
            lines.add(new Line(g.first().error(), g.first().rule(), render(g.first(), g.neutral(), new ArrayList<>(g.stages()),
                    stagesChecked)));
        }
        return lines;
    }

    private static String render(CheckFinding first, String neutral, List<String> stages, int stagesChecked) {
        boolean named = neutral.contains(STAGE);
        if (stages.size() >= 2) {
            String list = "stages " + String.join(", ", stages);
            return named ? neutral.replace(STAGE, list) : neutral + " (" + list + ")";
        }
        if (stages.size() == 1 && !named && stagesChecked > 1) {
            return first.line() + " (stage " + stages.get(0) + ")";
        }
        return first.line();
    }

    /** {@code line} with the places that name {@code stage} ({@code stage 'prep'}, {@code stage prep}) marked. */
    static String neutral(String line, String stage) {
        Matcher m = Pattern.compile("stage (?:'" + Pattern.quote(stage) + "'|" + Pattern.quote(stage)
                + "(?![A-Za-z0-9_.-]))").matcher(line);
        return m.replaceAll(Matcher.quoteReplacement(STAGE));
    }
}
