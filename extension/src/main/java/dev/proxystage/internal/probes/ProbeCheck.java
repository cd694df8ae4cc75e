package dev.proxystage.internal.probes;

import dev.proxystage.hardening.Finding;
import dev.proxystage.hardening.Probe;

import dev.proxystage.internal.nginx.ServerBlock;
import java.util.List;

/** One probe's implementation. */
interface ProbeCheck {

    Probe probe();

    /** Runs the probe and adds what it finds to {@code findings}. */
    void run(ProbeContext context, List<Finding> findings);

    /** A finding about {@code block} (optionally narrowed by {@code detail}, e.g. its location). */
    default Finding finding(ServerBlock block, String detail, String request, String observed) {
        String subject = ConfigView.describe(block) + (detail == null || detail.isEmpty() ? "" : ", " + detail);
        return new Finding(probe(), ConfigView.where(block), subject, request, observed);
    }
}
