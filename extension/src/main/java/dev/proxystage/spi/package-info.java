/**
 * The service provider interfaces between ProxyStage's published API ({@code dev.proxystage},
 * {@code dev.proxystage.hardening}) and its runtime ({@code dev.proxystage.internal}): what
 * {@link java.util.ServiceLoader} finds ({@link dev.proxystage.spi.StageRuntime}, {@link dev.proxystage.spi.RouteChecks},
 * {@link dev.proxystage.spi.ProbeRunner}) and the plumbing they hand over ({@link dev.proxystage.spi.StageRun},
 * {@link dev.proxystage.spi.RoutingTraces}). The API finds the runtime here, the runtime implements it; users
 * never need it, and it may change in any release.
 */
package dev.proxystage.spi;
