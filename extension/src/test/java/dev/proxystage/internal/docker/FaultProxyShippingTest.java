package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault proxy goes into its container as the class files of its package, and those alone forward. */
class FaultProxyShippingTest {

    @Test
    void theShippedClassesAreTheProxysPackageAndNothingElse() {
        Map<String, byte[]> classes = FaultProxyShipping.proxyClasses();
        assertThat(classes).containsKeys(FaultProxyShipping.CLASS, "dev/proxystage/faultproxy/FaultProxy$Connection.class");
        assertThat(classes.keySet()).allMatch(name -> name.matches("dev/proxystage/faultproxy/FaultProxy(\\$\\w+)?\\.class"));
    }

    @Test
    void theShippedClassesAloneStartAProxyThatForwards(@TempDir Path dir) throws Exception {
        for (var entry : FaultProxyShipping.proxyClasses().entrySet()) {
            Path file = dir.resolve(entry.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue());
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        // The platform loader as parent: nothing of this JVM's class path can stand in for a missing class.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ServerSocket origin = new ServerSocket(0, 5, loopback)) {
            Class<?> proxyClass = loader.loadClass(FaultProxyShipping.MAIN);
            assertThat(proxyClass.getClassLoader()).isSameAs(loader);
            Method start = proxyClass.getMethod("start", InetAddress.class, int[].class, String.class, int[].class,
                    int.class, PrintStream.class);
            Object proxy = start.invoke(null, loopback, new int[] {0}, "127.0.0.1", new int[] {origin.getLocalPort()}, 0,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            try (AutoCloseable closing = (AutoCloseable) proxy;
                 Socket client = new Socket(loopback, (int) proxyClass.getMethod("port", int.class).invoke(proxy, 0))) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                try (Socket backend = origin.accept()) {
                    backend.setSoTimeout(5_000);
                    assertThat(backend.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
                    backend.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("pong");
            }
        }
    }
}
