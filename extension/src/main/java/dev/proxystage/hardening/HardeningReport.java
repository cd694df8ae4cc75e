package dev.proxystage.hardening;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a run of the hardening probes found.
 *
 * @param stage      the stage probed
 * @param findings   every problem, in probe order
 * @param suppressed the probes switched off, with their reasons
 * @param checks     per probe that ran: how many requests, handshakes and configuration checks it made
 * @param notes      what the probes could not check (e.g. a location given only by a regex)
 */
public record HardeningReport(String stage, List<Finding> findings, List<Suppression> suppressed,
                              Map<Probe, Integer> checks, List<String> notes) {

    public HardeningReport {
        findings = List.copyOf(findings);
        suppressed = List.copyOf(suppressed);
        checks = checks.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(checks));
        notes = List.copyOf(notes);
    }

    /** Whether no probe found anything. */
    public boolean passed() {
        return findings.isEmpty();
    }

    /** The findings of one probe. */
    public List<Finding> findings(Probe probe) {
        return findings.stream().filter(f -> f.probe() == probe).toList();
    }

    /** The assertion message: a headline, then one finding per line, then what was switched off and why. */
    public String failureMessage() {
        long probes = findings.stream().map(Finding::probe).distinct().count();
        StringBuilder text = new StringBuilder("Expected stage '").append(stage).append("' to pass the hardening probes, but ")
                .append(probes).append(probes == 1 ? " probe" : " probes").append(" failed with ")
                .append(findings.size()).append(findings.size() == 1 ? " finding" : " findings").append(":");
        findings.forEach(f -> text.append('\n').append(f));
        if (!suppressed.isEmpty()) {
            text.append("\nswitched off: ").append(suppressed.stream().map(Suppression::toString)
                    .collect(Collectors.joining("; ")));
        }
        notes.forEach(n -> text.append("\nnote: ").append(n));
        return text.toString();
    }

    @Override
    public String toString() {
        return passed() ? "stage '" + stage + "' passes the hardening probes " + checks : failureMessage();
    }
}
