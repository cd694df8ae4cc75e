package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.ProxyStageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line itself: help, usage errors and their exit codes. */
class MainTest {

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    void helpShowsTheUsageOfEveryCommand(String help) {
        CliRun run = CliRun.of(help);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.OK);
        assertThat(run.out())
                .contains("Usage: java -jar proxystage-cli.jar [-h] [COMMAND]")
                .contains("Usage: java -jar proxystage-cli.jar init")
                .contains("Usage: java -jar proxystage-cli.jar check")
                .contains("Usage: java -jar proxystage-cli.jar up")
                .contains("Usage: java -jar proxystage-cli.jar down")
                .contains("--static", "--persist", "--profile=<profile>", "--stage=<stage>", "--config=<pipeline.yml>");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void helpIsFormattedWithoutPicocliWarnings() {
        // picocli formats help text with String.format: a bare '%' makes it warn on stderr and print the raw text
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        CliRun run;
        try {
            run = CliRun.of("--help");
        } finally {
            System.setErr(original);
        }
        assertThat(run.out()).contains("flaky 25%");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }

    @Test
    void helpForOneCommand() {
        CliRun viaHelp = CliRun.of("help", "up");
        CliRun viaOption = CliRun.of("up", "--help");

        assertThat(viaHelp.exitCode()).isEqualTo(Main.OK);
        assertThat(viaHelp.out()).contains("Usage: java -jar proxystage-cli.jar up").contains("--persist")
                .doesNotContain("--static");
        assertThat(viaOption.exitCode()).isEqualTo(Main.OK);
        assertThat(viaOption.out()).isEqualTo(viaHelp.out());
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).startsWith("missing command").contains("Usage: java -jar proxystage-cli.jar check");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.of("start", "--stage", "prep");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("start");
    }

    @ParameterizedTest
    @ValueSource(strings = {"check", "up", "down"})
    void unknownOptionIsAUsageError(String command) {
        CliRun run = CliRun.of(command, "--stag", "prep");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.USAGE);
        assertThat(run.err()).startsWith("Unknown option").contains("'--stag'").contains("Possible solutions: --stage")
                .contains("Usage: java -jar proxystage-cli.jar " + command);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aFaultWithoutBackendOrKindOrWithAnUnknownKindIsAUsageErrorBeforeAnyEngineIsAsked() {
        CliRun missing = CliRun.of("fault", "--stage", "prep");
        assertThat(missing.exitCode()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("Missing required parameters: '<backend>', '<fault>'")
                .contains("Usage: java -jar proxystage-cli.jar fault");

        CliRun unknown = CliRun.of("fault", "--stage", "prep", "vaultwarden", "melt");
        assertThat(unknown.exitCode()).isEqualTo(Main.USAGE);
        assertThat(unknown.err()).isEqualTo("fault: unknown fault 'melt' (known: down, hang, slow <duration>, slowChunks"
                + " <duration>, throttle <bytes per second>, reset, resetAfter <bytes>, flaky <fraction>,"
                + " restartWithNewAddress)\n");

        CliRun badValue = CliRun.of("fault", "vaultwarden", "slow", "soon");
        assertThat(badValue.exitCode()).isEqualTo(Main.USAGE);
        assertThat(badValue.err()).isEqualTo("fault: fault 'slow' takes a duration such as 500ms, 2s or 1m, got 'soon'\n");

        assertThat(CliRun.of("heal", "--stag", "prep").exitCode()).isEqualTo(Main.USAGE);
        assertThat(CliRun.of("--help").out()).contains("Usage: java -jar proxystage-cli.jar fault")
                .contains("Usage: java -jar proxystage-cli.jar heal");
    }

    @Test
    void optionWithoutItsValueIsAUsageError() {
        CliRun run = CliRun.of("check", "--config");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("Missing required parameter for option '--config'");
    }

    @Test
    void unexpectedArgumentIsAUsageError() {
        CliRun run = CliRun.of("down", "prep");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("Unmatched argument");
    }

    @Test
    void optionsTakeTheirValueWithOrWithoutEquals() {
        String config = CliRun.fixture("good").resolve("pipeline.yml").toString();

        assertThat(CliRun.of("check", "--config=" + config, "--stage=prep").exitCode()).isEqualTo(Main.OK);
        assertThat(CliRun.of("check", "--config", config, "--stage", "prep").exitCode()).isEqualTo(Main.OK);
    }

    @Test
    void describeNeverGivesAStackTrace() {
        RuntimeException wrapped = new IllegalStateException("outer", new ProxyStageException("a.conf:3: broken"));

        assertThat(Main.describe(wrapped)).isEqualTo("a.conf:3: broken");
        assertThat(Main.describe(new IllegalArgumentException("bad"))).isEqualTo("failed: IllegalArgumentException: bad");
    }

    @Test
    void argumentsAreTakenLiterallyAndAnAtFileIsNeverRead(@TempDir Path dir) throws IOException {
        String marker = "SECRET-7c1e9b-do-not-print";
        Path secret = Files.writeString(dir.resolve("secret.txt"), marker + "\n");

        CliRun stage = CliRun.check("good", "--stage", "@" + secret);
        assertThat(stage.exitCode()).as(stage.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(stage.out() + stage.err()).as(stage.toString()).contains("@" + secret).doesNotContain(marker);

        CliRun config = CliRun.of("check", "--config", "@" + secret);
        assertThat(config.exitCode()).as(config.toString()).isEqualTo(Main.PROBLEMS);
        assertThat(config.out() + config.err()).as(config.toString()).contains("@" + secret).doesNotContain(marker);

        CliRun whole = CliRun.of("@" + secret);
        assertThat(whole.exitCode()).as(whole.toString()).isEqualTo(Main.USAGE);
        assertThat(whole.out() + whole.err()).as(whole.toString()).doesNotContain(marker);
    }
}
