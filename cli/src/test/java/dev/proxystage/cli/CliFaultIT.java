package dev.proxystage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.proxystage.internal.docker.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** {@code fault} and {@code heal} from another terminal on the stage an {@code up} holds, and what up's log shows. */
class CliFaultIT {

    private static final Pattern NGINX_PORT = Pattern.compile("ports 80 -> 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration LOG_WAIT = Duration.ofSeconds(30);

    private final DockerClient docker = DockerClientFactory.instance().client();

    @Test
    void faultsFromAnotherTerminalBreakTheUpsStageShowInItsLogAndHeal() throws Exception {
        String pipeline = CliRun.fixture("faults").resolve("pipeline.yml").toString();
        try (UpProcess up = UpProcess.start("--config", pipeline, "--stage", "prep", "--profile", "offline")) {
            List<String> printed = up.awaitReady();
            assertThat(printed).anyMatch(l -> l.startsWith("faults: 'java -jar proxystage-cli.jar fault --stage prep"
                    + " <backend> <fault>' breaks a backend") && l.endsWith("the fault proxy is in the path of app"));
            int port = printed.stream().map(NGINX_PORT::matcher).filter(Matcher::find).findFirst()
                    .map(m -> Integer.parseInt(m.group(1))).orElseThrow();
            assertThat(status(port, "app.example.com")).isEqualTo(200);
            up.await(l -> l.startsWith("[app faults] ") && l.contains(" fault proxy ready: :80 -> app--origin:80"), LOG_WAIT,
                    "the fault proxy's first line");

            // A proxy fault: the command says what it did, up's log says when, nginx turns it into a 504.
            CliRun slow = CliRun.of("fault", "--stage", "prep", "app", "slow", "1500ms");
            assertThat(slow.exitCode()).as(slow.toString()).isEqualTo(Main.OK);
            assertThat(slow.outLines()).containsExactly(
                    "prep: backend app: fault slow started (1500 ms before each connection is forwarded)",
                    "heal it with: java -jar proxystage-cli.jar heal --stage prep app");
            up.await(l -> l.matches("\\[app faults] \\S+Z fault slow started \\(1500 ms before each connection is forwarded\\)"),
                    LOG_WAIT, "the proxy's line");
            assertThat(status(port, "app.example.com")).isEqualTo(504);

            // An engine fault on a backend without the proxy, without naming the stage (only one up runs).
            CliRun hang = CliRun.of("fault", "plain", "hang");
            assertThat(hang.exitCode()).as(hang.toString()).isEqualTo(Main.OK);
            up.await(l -> l.matches("\\[faults] \\S+Z plain: hang started \\(plain-prep-" + up.runId + " paused: .*"),
                    LOG_WAIT, "the pause");
            assertThat(status(port, "plain.example.com")).isEqualTo(504);

            // What cannot be: one line, and usage errors are usage errors.
            CliRun down = CliRun.of("fault", "--stage", "prep", "plain", "down");
            assertThat(down.exitCode()).isEqualTo(Main.PROBLEMS);
            assertThat(down.err()).isEqualTo("backend 'plain' of stage prep has no fault proxy in its path, which fault"
                    + " 'down' needs: add 'faults: true' to backends.plain in pipeline.yml (or set"
                    + " -Dproxystage.faults=true for every backend)\n");
            CliRun melt = CliRun.of("fault", "--stage", "prep", "app", "melt");
            assertThat(melt.exitCode()).isEqualTo(Main.USAGE);
            assertThat(melt.err()).startsWith("fault: unknown fault 'melt' (known: down, hang, slow <duration>");
            CliRun wip = CliRun.of("fault", "--stage", "wip", "app", "hang");
            assertThat(wip.exitCode()).isEqualTo(Main.PROBLEMS);
            assertThat(wip.err()).isEqualTo("no 'up' of stage wip runs on this machine; start one with:"
                    + " java -jar proxystage-cli.jar up --stage wip\n");

            // heal heals everything, whoever applied it, and up's log says so.
            CliRun heal = CliRun.of("heal", "--stage", "prep");
            assertThat(heal.exitCode()).as(heal.toString()).isEqualTo(Main.OK);
            assertThat(heal.outLines()).containsExactlyInAnyOrder("prep: app: fault slow healed",
                    "prep: plain: hang healed (plain-prep-" + up.runId + " resumed)");
            // heal takes the backends in the engine's order: the two lines come in either order.
            Set<String> healed = new HashSet<>();
            while (healed.size() < 2) {
                String line = up.await(l -> l.matches("\\[app faults] \\S+Z fault slow healed")
                        || l.matches("\\[faults] \\S+Z plain: hang healed .*"), LOG_WAIT, "the proxy's heal and the unpause");
                healed.add(line.substring(0, line.indexOf(']')));
            }
            assertThat(status(port, "app.example.com")).isEqualTo(200);
            assertThat(status(port, "plain.example.com")).isEqualTo(200);

            // A restart with a new address: the plain proxy_pass keeps the old one (502) until heal reloads nginx.
            CliRun restart = CliRun.of("fault", "--stage", "prep", "plain", "restartWithNewAddress");
            assertThat(restart.exitCode()).as(restart.toString()).isEqualTo(Main.OK);
            up.await(l -> l.matches("\\[faults] \\S+Z plain: plain-prep-" + up.runId + " left the stage network"),
                    LOG_WAIT, "the leave");
            up.await(l -> l.matches("\\[faults] \\S+Z plain: plain-prep-" + up.runId + " joined the stage network at .*"),
                    LOG_WAIT, "the join");
            assertThat(status(port, "plain.example.com")).isEqualTo(502);
            CliRun healPlain = CliRun.of("heal", "--stage", "prep", "plain");
            assertThat(healPlain.outLines()).containsExactly(
                    "prep: plain: restartWithNewAddress healed (placeholder of its old address removed)",
                    "prep: nginx reloaded: it resolves every backend's name again");
            assertThat(status(port, "plain.example.com")).isEqualTo(200);
            assertThat(CliRun.of("heal", "--stage", "prep").outLines()).containsExactly("nothing to heal on stage prep");

            up.process.destroy();
            assertThat(up.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.RUN, up.runId)).exec())
                    .as("the fault proxy and placeholders go with the stage").isEmpty();
        }
    }

    /** The status nginx answers a plain HTTP/1.0 request for {@code host} with. */
    private static int status(int port, String host) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }
}
