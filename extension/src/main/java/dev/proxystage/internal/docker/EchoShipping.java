package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.BackendSpec;
import java.io.IOException;
import java.io.InputStream;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/** Ships ProxyStage's echo backend, one class file from the proxystage-echo jar, into a plain JRE container. */
final class EchoShipping {

    static final String ECHO_DIR = "/opt/proxystage-echo";
    static final String ECHO_CLASS = "dev/proxystage/echo/EchoServer.class";

    // Read once per JVM: every echo backend of every stage gets the same bytes.
    private static volatile byte[] bytes;

    private EchoShipping() {
    }

    static void apply(GenericContainer<?> container, BackendSpec spec) {
        container.withCopyToContainer(Transferable.of(echoClass()), ECHO_DIR + "/" + ECHO_CLASS)
                .withEnv("ECHO_PORT", Integer.toString(spec.port()))
                .withEnv("ECHO_PORTS", spec.ports().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
                .withEnv("PROXYSTAGE_BACKEND", spec.name())
                // The class-data-sharing and C1-only flags make a small JVM start in a fraction of a second.
                .withCommand("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                        "-cp", ECHO_DIR, "dev.proxystage.echo.EchoServer");
    }

    private static byte[] echoClass() {
        byte[] loaded = bytes;
        if (loaded != null) {
            return loaded;
        }
        try (InputStream in = EchoShipping.class.getClassLoader().getResourceAsStream(ECHO_CLASS)) {
            if (in == null) {
                throw new IllegalStateException(ECHO_CLASS + " is missing from the class path (the proxystage-echo jar)");
            }
            loaded = in.readAllBytes();
            bytes = loaded;
            return loaded;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ECHO_CLASS, e);
        }
    }
}
