package dev.proxystage.internal.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The configuration a unit test writes: one file in a conf.d under the test's directory, parsed as a stage does. */
public final class ConfFixtures {

    private ConfFixtures() {
    }

    /** {@code text} as {@code dir/conf.d/site.conf}, parsed. */
    public static NginxConfig parse(Path dir, String text) throws IOException {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("site.conf"), text);
        return NginxConfig.parse(confD);
    }
}
