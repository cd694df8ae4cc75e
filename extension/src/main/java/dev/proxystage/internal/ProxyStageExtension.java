package dev.proxystage.internal;

import dev.proxystage.LogMark;
import dev.proxystage.PipelineStage;
import dev.proxystage.StageDiagnostics;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import dev.proxystage.docker.DockerEngine;
import dev.proxystage.docker.StageEnvironment;
import dev.proxystage.docker.Sweeper;
import dev.proxystage.plan.StagePlan;
import dev.proxystage.tls.TestCertificateAuthority;
import dev.proxystage.config.PipelineConfig;
import dev.proxystage.config.PipelineConfigLoader;
import dev.proxystage.config.StageDefinition;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit glue behind {@link PipelineStage}. It only adapts: it reads the settings, asks for the stage's
 * environment in the root store (so each stage starts once per JVM, keyed by its effective definition, and is
 * closed when the engine finishes), and resolves parameters from it. Public only so that the annotation can name
 * it; not an API.
 */
public final class ProxyStageExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        TestExecutionExceptionHandler, ParameterResolver {

    private static final Namespace NAMESPACE = Namespace.create(ProxyStageExtension.class);

    /** The settings, as JUnit configuration parameters or system properties. */
    static final String CONFIG = "proxystage.config";
    static final String PROFILE = "proxystage.profile";
    static final String STAGE = "proxystage.stage";
    static final String SKIP_WITHOUT_DOCKER = "proxystage.skipWithoutDocker";

    private record ConfigKey(Path file, Optional<String> profile) {
    }

    private record RunIdKey() {
    }

    private record CertificateAuthorityKey() {
    }

    private record SweepKey() {
    }

    private record TestStartKey() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        environment(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(TestStartKey.class, environment(context).testStarted());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        environment(context).testFinished();
    }

    /** A failing test gets the stage's traces and logs since it started; a passing one adds nothing. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        LogMark start = context.getStore(NAMESPACE).get(TestStartKey.class, LogMark.class);
        if (start != null) {
            String report = environment(context).diagnosticsSince(start, Thread.currentThread().getName());
            if (!report.isEmpty()) {
                context.publishReportEntry("proxystage", report);
                failure.addSuppressed(new StageDiagnostics(report));
            }
        }
        throw failure;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Stage.class || type == StageClient.class || type == OkHttpClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Stage stage = environment(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == StageClient.class) {
            return stage.client();
        }
        if (type == OkHttpClient.class) {
            return stage.client().okHttp();
        }
        return stage;
    }

    /** The class's stage, started on first use; later classes with an equal definition share it. */
    private static StageEnvironment environment(ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
        StageDefinition definition = definition(context, root);
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
            if (flag(context, SKIP_WITHOUT_DOCKER)) {
                Assumptions.abort("skipped because " + SKIP_WITHOUT_DOCKER + "=true and " + e.getMessage());
            }
            throw e;
        }
    }

    private static StageDefinition definition(ExtensionContext context, ExtensionContext.Store root) {
        Path file = Path.of(setting(context, CONFIG).orElse("pipeline.yml"));
        ConfigKey key = new ConfigKey(file.toAbsolutePath().normalize(), setting(context, PROFILE));
        PipelineConfig config = root.getOrComputeIfAbsent(key,
                k -> PipelineConfigLoader.load(file, k.profile()), PipelineConfig.class);
        Optional<String> annotated = annotation(context).map(PipelineStage::value).filter(v -> !v.isBlank());
        return config.select(annotated.or(() -> setting(context, STAGE)));
    }

    /** The annotation on the test class, a superclass, a composed annotation, or an enclosing class. */
    private static Optional<PipelineStage> annotation(ExtensionContext context) {
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = type.getEnclosingClass()) {
            Optional<PipelineStage> found = AnnotationSupport.findAnnotation(type, PipelineStage.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> setting(ExtensionContext context, String name) {
        return context.getConfigurationParameter(name).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static boolean flag(ExtensionContext context, String name) {
        return setting(context, name).map(Boolean::parseBoolean).orElse(false);
    }
}
