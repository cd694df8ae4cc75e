package dev.proxystage.internal;

import dev.proxystage.LogMark;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import dev.proxystage.StageDiagnostics;
import dev.proxystage.config.PipelineConfig;
import dev.proxystage.config.PipelineConfigLoader;
import dev.proxystage.config.StageDefinition;
import dev.proxystage.docker.DockerEngine;
import dev.proxystage.docker.StageEnvironment;
import dev.proxystage.docker.Sweeper;
import dev.proxystage.plan.StagePlan;
import dev.proxystage.tls.TestCertificateAuthority;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * What both extensions share: settings, the run's id, CA and sweep, and the environments themselves, all in the
 * root store so each stage starts once per JVM (keyed by its effective definition) and closes when the engine
 * finishes. Also the per-test hooks: the log mark at test start and the diagnostics of a failing test.
 */
final class StageAccess {

    static final Namespace NAMESPACE = Namespace.create(StageAccess.class);

    /** The settings, as JUnit configuration parameters or system properties. */
    static final String CONFIG = "proxystage.config";
    static final String PROFILE = "proxystage.profile";
    static final String STAGE = "proxystage.stage";
    static final String STAGES = "proxystage.stages";
    static final String SKIP_WITHOUT_DOCKER = "proxystage.skipWithoutDocker";
    static final String RESTART_DEAD_STAGES = "proxystage.restartDeadStages";

    private record ConfigKey(Path file, Optional<String> profile) {
    }

    private record RunIdKey() {
    }

    private record CertificateAuthorityKey() {
    }

    private record SweepKey() {
    }

    private record TestStartKey(String stage) {
    }

    private StageAccess() {
    }

    /** The loaded pipeline.yml of this run (with the selected profile). */
    static PipelineConfig config(ExtensionContext context) {
        Path file = Path.of(setting(context, CONFIG).orElse("pipeline.yml"));
        ConfigKey key = new ConfigKey(file.toAbsolutePath().normalize(), setting(context, PROFILE));
        return root(context).getOrComputeIfAbsent(key, k -> PipelineConfigLoader.load(file, k.profile()), PipelineConfig.class);
    }

    /** The running environment of {@code definition}, started on first use. */
    static StageEnvironment environment(ExtensionContext context, StageDefinition definition) {
        ExtensionContext.Store root = root(context);
        String runId = root.getOrComputeIfAbsent(RunIdKey.class,
                key -> UUID.randomUUID().toString().replace("-", "").substring(0, 8), String.class);
        try {
            // Once per JVM, before the first stage: remove what killed runs on this host left behind.
            root.getOrComputeIfAbsent(SweepKey.class, key -> Sweeper.onEngine(DockerEngine.client()).sweepOrphans(),
                    Sweeper.SweepReport.class);
            // One test CA per run; closed (its directory deleted) after the stages that use it, as it was stored first.
            TestCertificateAuthority ca = root.getOrComputeIfAbsent(CertificateAuthorityKey.class,
                    key -> TestCertificateAuthority.create(runId), TestCertificateAuthority.class);
            return root.getOrComputeIfAbsent(definition,
                    key -> StageEnvironment.start(StagePlan.prepare(definition, ca), runId), StageEnvironment.class);
        } catch (DockerEngine.UnavailableException e) {
            if (setting(context, SKIP_WITHOUT_DOCKER).map(Boolean::parseBoolean).orElse(false)) {
                Assumptions.abort("skipped because " + SKIP_WITHOUT_DOCKER + "=true and " + e.getMessage());
            }
            throw e;
        }
    }

    static boolean isInjectable(ParameterContext parameter) {
        Class<?> type = parameter.getParameter().getType();
        return type == Stage.class || type == StageClient.class || type == OkHttpClient.class;
    }

    static Object inject(ParameterContext parameter, Stage stage) {
        Class<?> type = parameter.getParameter().getType();
        if (type == StageClient.class) {
            return stage.client();
        }
        if (type == OkHttpClient.class) {
            return stage.client().okHttp();
        }
        return stage;
    }

    /**
     * Before each test: a stage whose backend or nginx died fails the test with the reason, or, when the user opted
     * in with {@code proxystage.restartDeadStages=true}, is replaced by a fresh one.
     */
    static StageEnvironment testStarted(ExtensionContext context, StageEnvironment environment) {
        StageEnvironment current = environment;
        try {
            current.requireRunning();
        } catch (dev.proxystage.ProxyStageException dead) {
            if (!setting(context, RESTART_DEAD_STAGES).map(Boolean::parseBoolean).orElse(false)) {
                throw new dev.proxystage.ProxyStageException(dead.getMessage()
                        + " (set -D" + RESTART_DEAD_STAGES + "=true to restart it instead)");
            }
            root(context).remove(current.definition(), StageEnvironment.class);
            current.close();
            current = environment(context, current.definition());
        }
        context.getStore(NAMESPACE).put(new TestStartKey(current.name()), current.testStarted());
        return current;
    }

    static void testFinished(ExtensionContext context, StageEnvironment environment) {
        environment.testFinished();
    }

    /** A failing test gets the stage's traces and logs since it started; a passing one adds nothing. */
    static void attachDiagnostics(ExtensionContext context, StageEnvironment environment, Throwable failure) {
        LogMark start = context.getStore(NAMESPACE).get(new TestStartKey(environment.name()), LogMark.class);
        if (start != null) {
            String report = environment.diagnosticsSince(start, Thread.currentThread().getName());
            if (!report.isEmpty()) {
                context.publishReportEntry("proxystage", report);
                failure.addSuppressed(new StageDiagnostics(report));
            }
        }
    }

    static Optional<String> setting(ExtensionContext context, String name) {
        return context.getConfigurationParameter(name).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static ExtensionContext.Store root(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE);
    }
}
