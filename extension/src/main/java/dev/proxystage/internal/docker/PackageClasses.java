package dev.proxystage.internal.docker;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The class files of one package, taken from wherever this JVM loads them (the module's jar, the CLI's jar, or a
 * build's classes directory): what ProxyStage ships into a plain JRE container for its echo backend and fault proxy.
 */
final class PackageClasses {

    private PackageClasses() {
    }

    /**
     * Every class file of the package of {@code anchor} (an entry name, {@code dev/proxystage/echo/EchoServer.class}),
     * by its entry name; {@code what} names them in errors ({@code the echo backend}), {@code from} the artifact.
     */
    static TreeMap<String, byte[]> of(String anchor, String what, String from) {
        String prefix = anchor.substring(0, anchor.lastIndexOf('/') + 1);
        URL url = PackageClasses.class.getClassLoader().getResource(anchor);
        if (url == null) {
            throw new IllegalStateException(anchor + " is missing from the class path (" + from + ")");
        }
        TreeMap<String, byte[]> classes = new TreeMap<>();
        try {
            if (url.getProtocol().equals("jar")) {
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile file = connection.getJarFile()) {
                    for (JarEntry entry : Collections.list(file.entries())) {
                        String name = entry.getName();
                        if (name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0 && name.endsWith(".class")) {
                            try (InputStream in = file.getInputStream(entry)) {
                                classes.put(name, in.readAllBytes());
                            }
                        }
                    }
                }
            } else {
                Path dir = Path.of(url.toURI()).getParent();
                List<Path> files = new ArrayList<>();
                try (Stream<Path> list = Files.list(dir)) {
                    list.filter(f -> f.getFileName().toString().endsWith(".class")).forEach(files::add);
                }
                for (Path file : files) {
                    classes.put(prefix + file.getFileName(), Files.readAllBytes(file));
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + what + "'s classes from " + url + ": " + e, e);
        }
        return classes;
    }
}
