package dev.proxystage.cli;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check}, as a user runs it with an engine (its {@code nginx -t} and start in the stage's image), gives real
 * nginx's verdict on every tree of the corpus, and names nginx's file:line ({@link CorpusCheck}).
 */
class CheckCorpusIT {

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> checkGivesNginxsVerdictOnEveryTree() {
        // -DcheckCorpus.trees=<regex> runs only the trees whose id matches (emerg/duplicate-listen): the trees
        // one is working on, without a container for every other tree.
        String only = System.getProperty("checkCorpus.trees", ".*");
        return CorpusCheck.everyTree(work).filter(test -> test.getDisplayName().matches(only));
    }
}
