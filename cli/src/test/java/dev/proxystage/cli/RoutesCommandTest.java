package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code routes} before anything starts: usage errors, bad tables, and the JUnit XML it writes. */
class RoutesCommandTest {

    private static final String PIPELINE = "../example-tests/pipeline.yml";

    @TempDir
    Path dir;

    @Test
    void anUnknownOptionIsAUsageError() {
        CliRun run = CliRun.of("routes", "--config", PIPELINE, "--route", "x.yml");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.USAGE);
        assertThat(run.err()).startsWith("Unknown options: '--route', 'x.yml'").contains("Usage: java -jar proxystage-cli.jar routes");
    }

    @Test
    void aBadTableIsOneLineWithFileLineAndColumnAndNothingStarts() throws IOException {
        Path table = Files.writeString(dir.resolve("routes.yml"), "routes:\n  - request: {method: GET}\n");

        CliRun run = CliRun.of("routes", "--config", PIPELINE, "--profile", "offline", "--stage", "prep", "--routes", table.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err()).isEqualTo(table + ":2:14: routes[0].request has no url" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aStageTheTableNamesMustExist() throws IOException {
        Path table = Files.writeString(dir.resolve("routes.yml"),
                "routes:\n  - request: GET https://vw.example.com/\n    stages:\n      staging: {skip: true}\n");

        CliRun run = CliRun.of("routes", "--config", PIPELINE, "--stage", "prep", "--routes", table.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err().strip()).isEqualTo(table + ":4:16: route 'GET https://vw.example.com/' names stage 'staging',"
                + " which pipeline.yml does not have (known: seed, wip, prep, ship, prod)");
    }

    @Test
    void aMissingTableNamesTheFile() {
        CliRun run = CliRun.of("routes", "--config", PIPELINE, "--stage", "prep", "--routes", dir.resolve("none.yml").toString());

        assertThat(run.exitCode()).isEqualTo(Main.PROBLEMS);
        assertThat(run.err().strip()).isEqualTo("route table not found: " + dir.resolve("none.yml"));
    }

    @Test
    void junitXmlHasOneTestcasePerRouteAndTheFailureText() throws IOException {
        Path xml = dir.resolve("reports/routes.xml");

        RoutesCommand.writeJunitXml(xml, "prep", Path.of("routes.yml"), List.of(
                new RoutesCommand.Result("home", true, "", 0.012),
                new RoutesCommand.Result("admin <redirect>", false, "expected status 301 but got 200\ntrace & logs", 0.5)));

        assertThat(Files.readString(xml))
                .contains("<testsuite name=\"routes prep\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0.512\">")
                .contains("<testcase classname=\"routes.prep\" name=\"home\" file=\"routes.yml\" time=\"0.012\"></testcase>")
                .contains("name=\"admin &lt;redirect&gt;\"")
                .contains("<failure message=\"expected status 301 but got 200\">expected status 301 but got 200\ntrace &amp; logs</failure>");
    }
}
