package dev.proxystage.internal.engine;

import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Fingerprint;
import java.nio.file.Path;

/**
 * How a stage that others may attach to is marked: what it is, and the CA certificate its certificates come from
 * (the attaching JVM trusts that file and never needs the CA's key).
 *
 * @param fingerprint      the stage as it started (its current one is kept beside {@code caCertificatePem})
 * @param caCertificatePem the run's {@code ca.pem}
 * @param inputs           what the stage was loaded from, for JVMs that attach without loading it
 */
public record Published(Fingerprint fingerprint, Path caCertificatePem, AttachInputs inputs) {
}
