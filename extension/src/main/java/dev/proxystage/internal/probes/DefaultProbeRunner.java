package dev.proxystage.internal.probes;

import dev.proxystage.Stage;
import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.HardeningReport;
import dev.proxystage.hardening.Probe;
import dev.proxystage.hardening.Suppression;
import dev.proxystage.internal.engine.StageInternals;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Runs the probes, in order, against a stage that this runtime started: what its stages answer
 * {@code HardeningProbes.Target.runProbes} with.
 */
public final class DefaultProbeRunner {

    private DefaultProbeRunner() {
    }

    /** The report of the probes {@code given} and the stage's pipeline.yml do not switch off. */
    public static HardeningReport run(Stage stage, Collection<Suppression> given) {
        Objects.requireNonNull(stage, "stage");
        StageInternals internals = StageInternals.of(stage);
        List<Suppression> suppressions = new ArrayList<>(given);
        internals.definition().probeSuppressions().forEach((id, reason) -> suppressions.add(Suppression.of(id, reason + " (pipeline.yml)")));
        Set<Probe> off = EnumSet.noneOf(Probe.class);
        suppressions.forEach(s -> off.add(s.probe()));
        ProbeContext context = new ProbeContext(stage);
        List<Finding> findings = new ArrayList<>();
        for (ProbeCheck check : checks()) {
            if (off.contains(check.probe())) {
                continue;
            }
            context.begin(check.probe());
            try {
                check.run(context, findings);
            } catch (RuntimeException e) {
                findings.add(new Finding(check.probe(), String.valueOf(internals.nginxConfig().request().confD()),
                        "(the probe itself)", "(running the probe)", "it failed: " + e));
            }
        }
        return new HardeningReport(stage.name(), findings, List.copyOf(suppressions), context.checks(), context.notes());
    }

    /** The probes in the order they run. */
    static List<ProbeCheck> checks() {
        return List.of(new DefaultServerProbe(), new HeaderSplittingProbe(), new AliasTraversalProbe(),
                new VersionDisclosureProbe(), new ForwardedHeadersProbe(), new PlainHttpProbe(), new TlsProtocolsProbe());
    }
}
