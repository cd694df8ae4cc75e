/**
 * Hardening probes: runtime forms of gixy's static nginx checks, sent through a running stage's real nginx.
 * Entry points: {@code ProxyStageAssertions.assertThat(stage).passesHardeningProbes(...)},
 * {@link dev.proxystage.probes.HardeningProbes#run}, and the ready-made
 * {@link dev.proxystage.probes.HardeningProbesContract}; probes are switched off with
 * {@link dev.proxystage.SuppressProbe} or {@link dev.proxystage.probes.Suppression}.
 */
package dev.proxystage.probes;
