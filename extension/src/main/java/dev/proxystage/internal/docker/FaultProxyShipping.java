package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.BackendSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.testcontainers.images.builder.Transferable;

/**
 * Ships ProxyStage's fault proxy, one class file from the proxystage-fault-proxy jar, into a plain JRE container (the
 * echo backend's image), as {@link EchoShipping} ships the echo.
 */
final class FaultProxyShipping {

    static final String DIR = "/opt/proxystage-fault-proxy";
    static final String CLASS = "dev/proxystage/faultproxy/FaultProxy.class";
    /** The control port, unless the backend serves on it itself. */
    static final int CONTROL_PORT = 7357;

    private static volatile byte[] bytes;

    private FaultProxyShipping() {
    }

    /** The port the proxy takes commands on: one the backend does not serve on. */
    static int controlPort(BackendSpec spec) {
        int port = CONTROL_PORT;
        while (spec.ports().contains(port)) {
            port++;
        }
        return port;
    }

    // As the echo's: a small JVM that starts in a fraction of a second.
    static final List<String> COMMAND = List.of("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-cp", DIR, "dev.proxystage.faultproxy.FaultProxy");

    /** What the proxy runs with: the backend it forwards to (under its origin alias), its ports, the control port. */
    static Map<String, String> env(BackendSpec spec, int controlPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FAULT_PROXY_TARGET", spec.originAlias());
        env.put("FAULT_PROXY_PORTS", spec.ports().stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put("FAULT_PROXY_CONTROL", Integer.toString(controlPort));
        return env;
    }

    /** The proxy's class file, under {@link #DIR}. */
    static Transferable files() {
        return new StagedFiles().add(DIR + "/" + CLASS, Transferable.of(proxyClass()));
    }

    private static byte[] proxyClass() {
        byte[] loaded = bytes;
        if (loaded != null) {
            return loaded;
        }
        try (InputStream in = FaultProxyShipping.class.getClassLoader().getResourceAsStream(CLASS)) {
            if (in == null) {
                throw new IllegalStateException(CLASS + " is missing from the class path (the proxystage-fault-proxy jar)");
            }
            loaded = in.readAllBytes();
            bytes = loaded;
            return loaded;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CLASS, e);
        }
    }
}
