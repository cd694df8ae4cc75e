/**
 * The service provider interfaces between ProxyStage's entry points (the JUnit glue, {@code ProxyStage},
 * {@code RouteTableContract}) and its runtime ({@code dev.proxystage.internal}): what
 * {@link java.util.ServiceLoader} finds ({@link dev.proxystage.spi.StageRuntime}, {@link dev.proxystage.spi.RouteChecks})
 * and the run they hand over ({@link dev.proxystage.spi.StageRun}). The entry points find the runtime here, the
 * runtime implements it; the SPI speaks the API's values, while those values (the stage, its client, the hardening
 * package) never name the SPI. Users never need it, and it may change in any release.
 */
package dev.proxystage.spi;
