package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.proxystage.ProxyStageException;
import dev.proxystage.fixtures.DataFixtures;
import dev.proxystage.fixtures.FixtureRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** Each stage keeps its own data; test stages never touch production data. */
class DataIsolationIT {

    @TempDir
    Path dir;

    private Path config;
    private Path prodData;

    @BeforeEach
    void copyFixture() throws IOException {
        Path fixture = Path.of("src/test/resources/fixtures/data");
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path source : files.toList()) {
                Path target = dir.resolve(fixture.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        prodData = Files.createDirectories(dir.resolve("prod-data"));
        Files.writeString(prodData.resolve("customers.db"), "production rows\n");
        config = dir.resolve("pipeline.yml");
    }

    private EngineExecutionResults run(Class<?>... classes) {
        return run(Map.of(), classes);
    }

    /** Settings reach the run as JUnit configuration parameters, as from junit-platform.properties or -D. */
    private EngineExecutionResults run(Map<String, String> settings, Class<?>... classes) {
        return FixtureRuns.run(config.toString(), settings, classes);
    }

    @Test
    void aFileWrittenByWipsBackendIsNotVisibleToPreps() {
        run(DataFixtures.WipData.class, DataFixtures.PrepData.class)
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    @Test
    void prodNeedsAnExplicitOptIn() {
        run(DataFixtures.ProdData.class).containerEvents().assertThatEvents().haveExactly(1,
                event(finishedWithFailure(instanceOf(ProxyStageException.class), message(
                        "stage 'prod' runs against production data; pass -Dproxystage.allowProd=true to run it "
                                + "(its data is then mounted read-only)"))));
    }

    @Test
    void prodDataIsUnchangedAfterEveryStageRan() throws Exception {
        String before = checksum(prodData);
        run(Map.of("proxystage.allowProd", "true"), DataFixtures.WipData.class, DataFixtures.PrepData.class, DataFixtures.ProdData.class)
                .testEvents().assertStatistics(stats -> stats.started(3).succeeded(3));

        assertThat(checksum(prodData)).isEqualTo(before);
        try (Stream<Path> files = Files.list(prodData)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("customers.db");
        }
    }

    @Test
    void persistedDataOutlivesTheRun() throws IOException {
        Path dataRoot = dir.resolve("data-root");
        Map<String, String> persisted = Map.of("proxystage.persist", "true", "proxystage.dataRoot", dataRoot.toString());

        run(persisted, DataFixtures.WipData.class).testEvents().assertStatistics(stats -> stats.succeeded(1));
        Path wipData = dataRoot.resolve("store-wip");
        assertThat(wipData.resolve("written-by-wip")).exists();
        assertThat(wipData.resolve("seed-file.txt")).exists();
        Files.writeString(wipData.resolve("kept-from-last-run"), "x");

        run(persisted, DataFixtures.WipData.class).testEvents().assertStatistics(stats -> stats.succeeded(1));
        assertThat(wipData.resolve("kept-from-last-run")).exists();
    }

    private static String checksum(Path directory) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted().toList()) {
                digest.update(directory.relativize(file).toString().getBytes());
                if (Files.isRegularFile(file)) {
                    digest.update(Files.readAllBytes(file));
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
