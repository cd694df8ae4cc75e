package dev.proxystage.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/settings.md's table names every {@code proxystage.*} property the main sources read, and none they do not:
 * a setting added without its row, or a row left behind by a setting removed, fails here.
 */
class DocsSettingsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A property name as a string literal of the main sources. */
    private static final Pattern LITERAL = Pattern.compile("\"(proxystage\\.[A-Za-z][A-Za-z.]*)\"");
    /** A row of the settings table: its first cell. */
    private static final Pattern ROW = Pattern.compile("^\\| `(proxystage\\.[A-Za-z.]+)` \\|", Pattern.MULTILINE);
    /** Literals that are no setting: internal switches of the project's own tests and benchmark, a test domain. */
    private static final Set<String> NOT_SETTINGS = Set.of("proxystage.internal.teardown", "proxystage.test");

    @Test
    void theSettingsTableListsEveryPropertyTheSourcesRead() throws IOException {
        Set<String> read = new TreeSet<>();
        for (String module : new String[] {"extension", "cli"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = LITERAL.matcher(Files.readString(file, StandardCharsets.UTF_8));
                    while (m.find()) {
                        read.add(m.group(1));
                    }
                }
            }
        }
        read.removeAll(NOT_SETTINGS);
        Set<String> documented = new TreeSet<>();
        Matcher row = ROW.matcher(Files.readString(ROOT.resolve("docs/settings.md"), StandardCharsets.UTF_8));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(read).as("properties the sources read").isNotEmpty();
        assertThat(documented).as("docs/settings.md's rows against the properties the sources read")
                .containsExactlyInAnyOrderElementsOf(read);
    }
}
