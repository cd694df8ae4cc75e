package dev.proxystage.cli;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --static} on every tree of the corpus gives real nginx's verdict ({@link CorpusCheck}): what the
 * static layer alone knows, as on a machine without an engine.
 *
 * <p>Tagged {@code corpus}; part of the default build since the static layer agrees with nginx on every tree
 * ({@code -DexcludedTags=corpus} leaves it out).
 */
@Tag("corpus")
class CheckAgreesWithNginxTest {

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> checkGivesNginxsVerdict() {
        return CorpusCheck.everyTree(work, "--static");
    }
}
