package dev.proxystage.internal.docker;

import dev.proxystage.internal.config.BackendSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.testcontainers.images.builder.Transferable;

/**
 * Ships ProxyStage's echo backend into a plain JRE container: the classes of its package, taken from wherever this
 * JVM loads them (the proxystage-echo jar, the CLI's jar, or a build's classes directory), as one small jar.
 */
public final class EchoShipping {

    static final String ECHO_DIR = "/opt/proxystage-echo";
    public static final String ECHO_JAR = ECHO_DIR + "/proxystage-echo.jar";
    public static final String ECHO_MAIN = "dev.proxystage.echo.EchoServer";
    private static final String PACKAGE = "dev/proxystage/echo/";

    // Built once per JVM: every echo backend of every stage gets the same bytes.
    private static volatile byte[] jar;

    private EchoShipping() {
    }

    // The class-data-sharing and C1-only flags make a small JVM start in a fraction of a second.
    static final List<String> COMMAND = List.of("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-cp", ECHO_JAR, ECHO_MAIN);

    /** What an echo backend's container runs with besides the stage's variables. */
    static Map<String, String> env(BackendSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ECHO_PORT", Integer.toString(spec.port()));
        env.put("ECHO_PORTS", spec.ports().stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put("PROXYSTAGE_BACKEND", spec.name());
        return env;
    }

    /** The echo's jar, at {@link #ECHO_JAR}. */
    static Transferable files() {
        return new StagedFiles().add(ECHO_JAR, Transferable.of(echoJar()));
    }

    /** The echo's package as a jar, entries sorted and undated so that the same classes give the same bytes. */
    public static byte[] echoJar() {
        byte[] built = jar;
        if (built != null) {
            return built;
        }
        TreeMap<String, byte[]> classes = classes();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ECHO_MAIN);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            for (var entry : classes.entrySet()) {
                JarEntry jarEntry = new JarEntry(entry.getKey());
                jarEntry.setTime(0);
                out.putNextEntry(jarEntry);
                out.write(entry.getValue());
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the echo backend's jar", e);
        }
        built = bytes.toByteArray();
        jar = built;
        return built;
    }

    /** Every class file of the echo's package, by its entry name. */
    private static TreeMap<String, byte[]> classes() {
        return PackageClasses.of(PACKAGE + "EchoServer.class", "the echo backend", "the proxystage-echo jar");
    }
}
