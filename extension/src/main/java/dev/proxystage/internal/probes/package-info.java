/**
 * Hardening probes: runtime forms of gixy's static nginx checks, sent through a running stage's real nginx.
 * Entry points: {@code ProxyStageAssertions.assertThat(stage).passesHardeningProbes(...)},
 * {@link dev.proxystage.hardening.HardeningProbes#run}, and the ready-made
 * {@link dev.proxystage.hardening.HardeningProbesContract}; probes are switched off with
 * {@link dev.proxystage.hardening.SuppressProbe} or {@link dev.proxystage.hardening.Suppression}.
 */
package dev.proxystage.internal.probes;
