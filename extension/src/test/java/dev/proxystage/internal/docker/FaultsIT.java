package dev.proxystage.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.proxystage.ActiveFault;
import dev.proxystage.Fault;
import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStage;
import dev.proxystage.ProxyStageException;
import dev.proxystage.RoutingTrace;
import dev.proxystage.Stage;
import dev.proxystage.StageBackend;
import dev.proxystage.spi.RouteChecks;
import dev.proxystage.internal.config.RouteTableLoader;
import dev.proxystage.internal.routes.TableRouteChecks;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults on a running stage: the fault proxy in the path, each kind of fault, and the heal. */
class FaultsIT {

    private static Stage stage;
    private static DockerClient docker;

    @BeforeAll
    static void start() {
        stage = ProxyStage.pipeline(Path.of("src/test/resources/fixtures/faults/pipeline.yml")).stage("prep").start();
        docker = DockerEngine.at(EngineEndpoint.decide(EngineEndpoint.World.system(), Optional.empty())).client();
    }

    @AfterAll
    static void stop() {
        String runId = stage.runId();
        stage.close();
        assertThat(containers(runId)).as("everything of the run is gone, fault proxies and placeholders too").isEmpty();
        assertThat(docker.listNetworksCmd().withNameFilter(stage.networkName()).exec()).isEmpty();
    }

    @AfterEach
    void heal() {
        stage.healFaults();
    }

    private static List<Container> containers(String runId) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.RUN, runId)).exec();
    }

    private static StageBackend backend(String name) {
        return stage.backend(name).orElseThrow();
    }

    private static InspectContainerResponse inspect(String container) {
        return docker.inspectContainerCmd(container).exec();
    }

    private static List<String> aliases(String container) {
        return inspect(container).getNetworkSettings().getNetworks().get(stage.networkName()).getAliases();
    }

    private static String address(String container) {
        return inspect(container).getNetworkSettings().getNetworks().get(stage.networkName()).getIpAddress();
    }

    @Test
    void theFaultProxyHoldsTheAliasAndTheBackendAnswersUnderAnotherWhileRoutingStaysTheSame() {
        String app = backend("app").containerName();
        assertThat(aliases(app)).contains("app--origin").doesNotContain("app");
        assertThat(aliases(app + "-faults")).contains("app");
        assertThat(aliases(backend("plain").containerName())).contains("plain");
        assertThat(containers(stage.runId())).extracting(c -> c.getNames()[0])
                .as("no fault proxy where none was asked for").noneMatch(n -> n.contains("plain") && n.endsWith("-faults"));

        ProxyResponse echoed = stage.client().get("http://app.example.com/hello");
        assertThat(echoed).hasStatus(200).wasRoutedTo("app");
        assertThat(echoed.echo().orElseThrow().identity().alias()).isEqualTo("app");
        assertThat(stage.client().get("http://web.example.com/")).hasStatus(200).wasRoutedTo("web").hasBodyContaining("web page");
    }

    @Test
    void aFaultThatNeedsTheProxyOnABackendWithoutItFailsInOneLineSayingHowToAddIt() {
        assertThatThrownBy(() -> backend("plain").fault(Fault.down()))
                .isInstanceOf(ProxyStageException.class)
                .hasMessage("backend 'plain' of stage prep has no fault proxy in its path, which fault 'down' needs: add"
                        + " 'faults: true' to backends.plain in pipeline.yml (or set -Dproxystage.faults=true for every backend)");
    }

    @Test
    void downRefusesUntilHealedOnAnEchoAndOnARealImage() {
        for (String name : List.of("app", "web")) {
            try (ActiveFault down = backend(name).fault(Fault.down())) {
                ProxyResponse response = stage.client().get("http://" + name + ".example.com/");
                assertThat(response).hasStatus(502).answeredByNginx().nginxLogged("connect() failed (111: Connection refused)");
                RoutingTrace trace = response.trace().orElseThrow();
                assertThat(trace.upstreamStatus()).isEmpty();
                assertThat(trace.alias()).contains(name);
                assertThat(down.isActive()).isTrue();
            }
            assertThat(stage.client().get("http://" + name + ".example.com/")).hasStatus(200).wasRoutedTo(name);
        }
    }

    @Test
    void hangPausesWhatHoldsTheAliasWithOrWithoutTheProxy() {
        for (String name : List.of("app", "plain")) {
            String holder = backend(name).containerName() + (name.equals("app") ? "-faults" : "");
            try (ActiveFault hang = backend(name).fault(Fault.hang())) {
                assertThat(inspect(holder).getState().getPaused()).isTrue();
                ProxyResponse response = stage.client().get("http://" + name + ".example.com/");
                assertThat(response).hasStatus(504).answeredByNginx().nginxLogged("upstream timed out");
                assertThat(response.trace().orElseThrow().upstreamResponseTime().orElseThrow())
                        .isGreaterThanOrEqualTo(Duration.ofMillis(990));
            }
            assertThat(inspect(holder).getState().getPaused()).isFalse();
            assertThat(stage.client().get("http://" + name + ".example.com/")).hasStatus(200);
        }
    }

    @Test
    void restartWithNewAddressMovesTheAliasAndNginxKeepsTheOldOneUntilTheHealReloadsIt() {
        String plain = backend("plain").containerName();
        String before = address(plain);
        try (ActiveFault restart = backend("plain").fault(Fault.restartWithNewAddress())) {
            assertThat(address(plain)).isNotEqualTo(before);
            assertThat(aliases(plain)).contains("plain");
            List<Container> placeholders = docker.listContainersCmd().withLabelFilter(Map.of(Labels.RUN, stage.runId(),
                    Labels.ROLE, StageFaults.ROLE_PLACEHOLDER)).exec();
            assertThat(placeholders).hasSize(1);
            assertThat(address(placeholders.get(0).getId())).isEqualTo(before);
            // a plain proxy_pass resolved the name once, at start
            assertThat(stage.client().get("http://plain.example.com/")).hasStatus(502);
            assertThat(backend("plain").directUrl()).contains(address(plain));
        }
        assertThat(docker.listContainersCmd().withLabelFilter(Map.of(Labels.RUN, stage.runId(),
                Labels.ROLE, StageFaults.ROLE_PLACEHOLDER)).exec()).isEmpty();
        assertThat(stage.client().get("http://plain.example.com/")).hasStatus(200).wasRoutedTo("plain");
    }

    @Test
    void restartWithNewAddressFillsTheHolesBelowTheOldAddressSoThatAPlaceholderHoldsIt() {
        // Two restarts healed: their old addresses are free again, below the ones the containers moved to.
        backend("app").fault(Fault.restartWithNewAddress()).close();
        backend("plain").fault(Fault.restartWithNewAddress()).close();
        String plain = backend("plain").containerName();
        String before = address(plain);
        try (ActiveFault restart = backend("plain").fault(Fault.restartWithNewAddress())) {
            assertThat(address(plain)).isNotEqualTo(before);
            List<Container> placeholders = docker.listContainersCmd().withLabelFilter(Map.of(Labels.RUN, stage.runId(),
                    Labels.ROLE, StageFaults.ROLE_PLACEHOLDER)).exec();
            assertThat(placeholders).as("only the placeholder on the old address stays").hasSize(1);
            assertThat(address(placeholders.get(0).getId())).isEqualTo(before);
            // refused at once on the old address, not a connect timeout to an address nobody holds
            assertThat(stage.client().get("http://plain.example.com/")).hasStatus(502)
                    .nginxLogged("connect() failed (111: Connection refused)");
        }
        assertThat(stage.client().get("http://plain.example.com/")).hasStatus(200).wasRoutedTo("plain");
    }

    @Test
    void proxyFaultsAddUpAndHealFaultsHealsWhatATestLeft() {
        ActiveFault slow = backend("app").fault(Fault.slow(Duration.ofMillis(1500)));
        ActiveFault hang = backend("plain").fault(Fault.hang());
        assertThat(stage.client().get("http://app.example.com/")).hasStatus(504);

        stage.healFaults();

        assertThat(slow.isActive()).isFalse();
        assertThat(hang.isActive()).isFalse();
        assertThat(stage.client().get("http://app.example.com/")).hasStatus(200);
        assertThat(stage.client().get("http://plain.example.com/")).hasStatus(200);
        slow.close(); // healed already: nothing happens
    }

    @Test
    void aRouteTableRunsEachRouteWithItsFaultAndHealsItAfterEvenWhenTheRouteFails(@TempDir Path dir) throws Exception {
        Path table = Files.writeString(dir.resolve("routes.yml"), """
                routes:
                  - name: app hangs
                    request: GET http://app.example.com/
                    fault: {backend: app, hang: true}
                    expect: {status: 504}
                  - name: web is down
                    request: GET http://web.example.com/
                    fault: {backend: web, down: true}
                    expect: {status: 502}
                  - name: a wrong expectation while web is down
                    request: GET http://web.example.com/
                    fault: {backend: web, down: true}
                    expect: {status: 200}
                  - name: web answers again
                    request: GET http://web.example.com/
                    expect: {status: 200, backend: web}
                  - name: plain has no fault proxy
                    request: GET http://plain.example.com/
                    fault: {backend: plain, reset: true}
                    expect: {status: 502}
                """);
        List<RouteChecks.RouteCheck> checks = TableRouteChecks.checks(RouteTableLoader.load(table), "prep");

        checks.get(0).check().accept(stage);
        checks.get(1).check().accept(stage);
        assertThatThrownBy(() -> checks.get(2).check().accept(stage)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected status 200 but got 502");
        checks.get(3).check().accept(stage);
        assertThatThrownBy(() -> checks.get(4).check().accept(stage)).isInstanceOf(ProxyStageException.class)
                .hasMessage(table + ":19:12: route 'plain has no fault proxy': backend 'plain' of stage prep has no fault"
                        + " proxy in its path, which fault 'reset' needs: add 'faults: true' to backends.plain in"
                        + " pipeline.yml (or set -Dproxystage.faults=true for every backend)");
    }

    @Test
    void resetAndFlakyResetConnectionsThatNginxTurnsInto502() {
        try (ActiveFault reset = backend("web").fault(Fault.reset())) {
            assertThat(stage.client().get("http://web.example.com/")).hasStatus(502);
        }
        try (ActiveFault cut = backend("web").fault(Fault.resetAfter(1000))) {
            // nginx has sent the status line and headers on when the answer breaks: the client sees a short body
            assertThatThrownBy(() -> stage.client().get("http://web.example.com/big")).isInstanceOf(UncheckedIOException.class);
        }
        try (ActiveFault flaky = backend("app").fault(Fault.flaky(0.5))) {
            List<Integer> statuses = IntStream.range(0, 4)
                    .mapToObj(i -> stage.client().get("http://app.example.com/").status()).toList();
            assertThat(statuses).containsExactly(200, 502, 200, 502);
        }
        assertThat(stage.client().get("http://web.example.com/big").body()).hasSize(65536);
    }
}
