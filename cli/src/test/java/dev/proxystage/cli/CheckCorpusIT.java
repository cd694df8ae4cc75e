package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
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

    /** Checks at once: each waits mostly for its nginx container, so a few overlap well. */
    private static final ExecutorService pool = Executors.newFixedThreadPool(Integer.getInteger("checkCorpus.parallel", 3));

    @TestFactory
    Stream<DynamicTest> checkGivesNginxsVerdictOnEveryTree() {
        // -DcheckCorpus.trees=<regex> runs only the trees whose id matches (emerg/duplicate-listen): the trees
        // one is working on, without a container for every other tree.
        String only = System.getProperty("checkCorpus.trees", ".*");
        return CorpusCheck.everyTree(work, id -> id.matches(only), pool);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).as("every check ended").isTrue();
    }
}
