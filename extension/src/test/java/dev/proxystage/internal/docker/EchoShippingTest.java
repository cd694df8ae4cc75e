package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The echo backend goes into its container as one small jar of its package, and that jar runs on its own. */
class EchoShippingTest {

    @Test
    void theJarHoldsTheEchoPackageAndNothingElse() throws IOException {
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(EchoShipping.echoJar()))) {
            assertThat(in.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(EchoShipping.ECHO_MAIN);
            for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                names.add(entry.getName());
            }
        }
        assertThat(names).contains("dev/proxystage/echo/EchoServer.class", "dev/proxystage/echo/HttpEcho.class",
                "dev/proxystage/echo/FastCgiEcho.class", "dev/proxystage/echo/UwsgiEcho.class");
        assertThat(names).allMatch(name -> name.startsWith("dev/proxystage/echo/") && name.endsWith(".class"));
        assertThat(EchoShipping.echoJar()).isSameAs(EchoShipping.echoJar());
    }

    @Test
    void theJarAloneStartsAnEchoThatAnswers(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("proxystage-echo.jar");
        Files.write(jar, EchoShipping.echoJar());
        // The platform loader as parent: nothing of this JVM's class path can stand in for a missing class.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> echo = loader.loadClass(EchoShipping.ECHO_MAIN);
            assertThat(echo.getClassLoader()).isSameAs(loader);
            Method start = echo.getMethod("start", int.class, Map.class);
            try (ServerSocket server = (ServerSocket) start.invoke(null, 0, Map.of("PROXYSTAGE_ALIAS", "shipped"));
                 Socket socket = new Socket("127.0.0.1", server.getLocalPort())) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /x HTTP/1.0\r\nHost: shipped\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("\"alias\":\"shipped\"");
            }
        }
    }
}
