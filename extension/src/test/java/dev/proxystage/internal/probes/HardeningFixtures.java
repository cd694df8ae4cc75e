package dev.proxystage.internal.probes;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.proxystage.hardening.HardeningAssert;

import dev.proxystage.hardening.HardeningProbes;
import dev.proxystage.hardening.HardeningProbesContract;
import dev.proxystage.hardening.HardeningReport;
import dev.proxystage.hardening.Suppression;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import dev.proxystage.PipelineStage;
import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStageAssertions;
import dev.proxystage.Stage;
import dev.proxystage.hardening.SuppressProbe;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * Test classes that {@link HardeningProbesIT} runs through EngineTestKit against the conf.d trees under
 * src/test/resources/probes (their names keep surefire and failsafe from running them directly).
 */
public final class HardeningFixtures {

    /** The reports of {@link Report}, by fixture directory name, for the IT to inspect. */
    static final Map<String, HardeningReport> REPORTS = new ConcurrentHashMap<>();
    /** What {@link TlsGroundTruth} and {@link AliasGroundTruth} saw, by name. */
    static final Map<String, String> GROUND_TRUTH = new ConcurrentHashMap<>();

    private HardeningFixtures() {
    }

    static String fixtureOf(Stage stage) {
        return stage.confDir().toAbsolutePath().normalize().getParent().getFileName().toString();
    }

    /** The ready-made contract, nothing switched off: passes on good/, fails on every other fixture. */
    @PipelineStage
    public static class AllProbes extends HardeningProbesContract {
    }

    /** Runs the probes directly and keeps the report. */
    @PipelineStage
    public static class Report {

        @Test
        void runsTheProbes(Stage stage) {
            REPORTS.put(fixtureOf(stage), HardeningProbes.run(stage));
        }
    }

    /** The assertion with the probe named by system property {@code fixture.probe} switched off through the API. */
    @PipelineStage
    public static class SuppressedByApi {

        @Test
        void passesWithThatProbeOff(Stage stage) {
            HardeningAssert.assertThatHardening(stage)
                    .passesHardeningProbes(Suppression.of(System.getProperty("fixture.probe"), "fixture: switched off on purpose"));
        }
    }

    @PipelineStage
    @SuppressProbe(value = "default-server", reason = "fixture: the catch-all covers port 80 only")
    public static class DefaultServerSuppressed extends HardeningProbesContract {
    }

    @PipelineStage
    @SuppressProbe(value = "header-splitting", reason = "fixture: $uri on purpose")
    public static class HeaderSplittingSuppressed extends HardeningProbesContract {
    }

    @PipelineStage
    @SuppressProbe(value = "alias-traversal", reason = "fixture: /static without slash on purpose")
    public static class AliasTraversalSuppressed extends HardeningProbesContract {
    }

    @PipelineStage
    @SuppressProbe(value = "version-disclosure", reason = "fixture: no server_tokens off")
    public static class VersionDisclosureSuppressed extends HardeningProbesContract {
    }

    @PipelineStage
    @SuppressProbe(value = "forwarded-headers", reason = "fixture: header mistakes on purpose")
    public static class ForwardedHeadersSuppressed extends HardeningProbesContract {
    }

    @PipelineStage
    @SuppressProbe(value = "plain-http", reason = "fixture: plain HTTP on purpose")
    public static class PlainHttpSuppressed extends HardeningProbesContract {
    }

    /** Two annotations: the repeatable form. */
    @PipelineStage
    @SuppressProbe(value = "tls-protocols", reason = "fixture: TLS 1.0 on purpose")
    @SuppressProbe(value = "version-disclosure", reason = "fixture: a second annotation, to show they repeat")
    public static class TlsProtocolsSuppressed extends HardeningProbesContract {
    }

    /**
     * What nginx in the tls-protocols fixture really accepts, asked with openssl inside the nginx container (its own
     * loopback): the probe's verdicts must match.
     */
    @PipelineStage
    public static class TlsGroundTruth {

        @Test
        void opensslHandshakes(Stage stage) throws Exception {
            for (String host : List.of("", "vw.example.com", "legacy.example.com")) {
                for (String version : List.of("tls1", "tls1_1")) {
                    String sni = host.isEmpty() ? " -noservername" : " -servername " + host;
                    String output = exec(stage.nginx().containerName(), "sh", "-c", "echo | timeout 10 openssl s_client"
                            + " -connect 127.0.0.1:443" + sni + " -" + version + " -cipher DEFAULT@SECLEVEL=0 2>&1");
                    GROUND_TRUTH.put(host + " " + version, output);
                }
            }
        }
    }

    /** The alias-traversal fixture really leaks a file outside the alias directory. */
    @PipelineStage
    public static class AliasGroundTruth {

        @Test
        void secretIsServedThroughTheAlias(Stage stage) {
            ProxyResponse secret = stage.client().get("https://vw.example.com/static../secret.txt");
            GROUND_TRUTH.put("alias", secret.status() + " " + secret.body());
            assertThat(secret.status()).isEqualTo(200);
        }
    }

    static String exec(String container, String... command) throws InterruptedException {
        DockerClient docker = DockerClientFactory.instance().client();
        ExecCreateCmdResponse exec = docker.execCreateCmd(container).withCmd(command)
                .withAttachStdout(true).withAttachStderr(true).exec();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.execStartCmd(exec.getId()).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(20, TimeUnit.SECONDS);
        return out.toString(StandardCharsets.UTF_8);
    }
}
