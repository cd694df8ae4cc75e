package dev.proxystage.internal.check;

import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.NginxVerdict;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.util.Optional;

/**
 * What a check needs of the run it is part of: the engine, nginx's own verdict on a stage, and the CA that issues the
 * plan's certificates. The runtime's run is one; the check itself starts nothing.
 */
public interface CheckContext extends AutoCloseable {

    /** Whether the engine answers now. */
    boolean engineAnswers();

    /** The engine address the run tries, for a line that says it did not answer. */
    String engineAddress();

    /** {@code nginx -t} for {@code definition} exactly as its stage runs nginx; empty when no engine answers. */
    Optional<NginxVerdict> nginxTest(StageDefinition definition, Optional<NginxConfig> config);

    /** The run's CA. */
    TestCertificateAuthority ca();

    @Override
    void close();
}
