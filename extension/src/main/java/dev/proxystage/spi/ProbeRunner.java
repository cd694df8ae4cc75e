package dev.proxystage.spi;

import dev.proxystage.Stage;
import dev.proxystage.hardening.HardeningReport;
import dev.proxystage.hardening.Suppression;
import java.util.Collection;
import java.util.ServiceLoader;

/**
 * Service provider interface between the hardening API and ProxyStage's runtime, found with {@link ServiceLoader}
 * so that the hardening package never depends on the implementation. Not for users: call
 * {@link dev.proxystage.hardening.HardeningProbes}.
 */
public interface ProbeRunner {

    /** Runs the probes that {@code suppressions} do not switch off. */
    HardeningReport run(Stage stage, Collection<Suppression> suppressions);

    /** The runtime's runner. */
    static ProbeRunner get() {
        return ServiceLoader.load(ProbeRunner.class, ProbeRunner.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("ProxyStage's runtime is missing from the class path"));
    }
}
