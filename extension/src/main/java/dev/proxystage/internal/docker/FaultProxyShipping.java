package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.BackendSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.testcontainers.images.builder.Transferable;

/**
 * Ships ProxyStage's fault proxy, the class files of its package from the proxystage-fault-proxy jar, into a plain JRE
 * container (the echo backend's image), as {@link EchoShipping} ships the echo.
 */
final class FaultProxyShipping {

    static final String DIR = "/opt/proxystage-fault-proxy";
    static final String CLASS = "dev/proxystage/faultproxy/FaultProxy.class";
    static final String MAIN = "dev.proxystage.faultproxy.FaultProxy";
    /** The control port, unless the backend serves on it itself. */
    static final int CONTROL_PORT = 7357;

    // Read once per JVM: every fault proxy of every stage gets the same bytes.
    private static volatile Map<String, byte[]> classes;

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
            "-cp", DIR, MAIN);

    /** What the proxy runs with: the backend it forwards to (under its origin alias), its ports, the control port. */
    static Map<String, String> env(BackendSpec spec, int controlPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FAULT_PROXY_TARGET", spec.originAlias());
        env.put("FAULT_PROXY_PORTS", spec.ports().stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put("FAULT_PROXY_CONTROL", Integer.toString(controlPort));
        return env;
    }

    /** The proxy's class files, under {@link #DIR}. */
    static Transferable files() {
        StagedFiles files = new StagedFiles();
        proxyClasses().forEach((name, bytes) -> files.add(DIR + "/" + name, Transferable.of(bytes)));
        return files;
    }

    /** The class files of the proxy's package (the proxy and its nested classes), by entry name. */
    static Map<String, byte[]> proxyClasses() {
        Map<String, byte[]> read = classes;
        if (read == null) {
            read = Collections.unmodifiableMap(PackageClasses.of(CLASS, "the fault proxy", "the proxystage-fault-proxy jar"));
            classes = read;
        }
        return read;
    }
}
