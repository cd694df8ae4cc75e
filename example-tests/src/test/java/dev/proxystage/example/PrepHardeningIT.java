package dev.proxystage.example;

// tag::hardening[]
import dev.proxystage.PipelineStage;
import dev.proxystage.hardening.HardeningProbesContract;

/** The production conf.d passes every hardening probe on the prep stage. */
@PipelineStage("prep")
class PrepHardeningIT extends HardeningProbesContract {
}
// end::hardening[]
