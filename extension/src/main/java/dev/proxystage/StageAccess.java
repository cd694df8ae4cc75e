package dev.proxystage;

import dev.proxystage.spi.StageRun;
import dev.proxystage.spi.StageRuntime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * What the extensions share, all in JUnit's root store as {@link AutoCloseable} values: the run (id, CA, sweep),
 * opened once per JVM, and the stages, each started once and keyed by its effective definition. JUnit closes
 * them in reverse order when the engine finishes: the stages, then the run. Also the per-test hooks.
 */
final class StageAccess {

    static final Namespace NAMESPACE = Namespace.create(StageAccess.class);

    private record RunKey() {
    }

    private record TestStartKey(String stage) {
    }

    /** The other stages a test had injected (a parameter with its own {@code @PipelineStage}), to heal after it. */
    private record OtherStagesKey() {
    }

    /** The coverage gate of a stage: stored after it, so the store closes it first, while the stage is still up. */
    private record CoverageKey(Object stageKey) {
    }

    private record StoredCoverage(StageRun run, Settings settings, Stage stage) implements AutoCloseable {
        @Override
        public void close() {
            run.stageFinished(settings, stage);
        }
    }

    /** When the test started (nanos) and, once it failed, its diagnostics: what the report shows of it. */
    private record TestClockKey() {
    }

    private record DiagnosticsKey() {
    }

    /**
     * A stored run; closing the store closes it, after every stage (stored later, closed first): its gates across
     * stages judge then, and fail the engine.
     */
    private record StoredRun(StageRun run, Settings settings) implements AutoCloseable {
        @Override
        public void close() {
            try {
                run.runFinished(settings);
            } finally {
                run.close();
            }
        }
    }

    private StageAccess() {
    }

    /** The settings, read once here at the edge: JUnit configuration parameters (which fall back to system properties). */
    static Settings settings(ExtensionContext context) {
        return Settings.from(context::getConfigurationParameter);
    }

    static StageRun run(ExtensionContext context) {
        return root(context).getOrComputeIfAbsent(RunKey.class, key -> {
            Settings settings = settings(context);
            return new StoredRun(StageRuntime.get().openRun(settings), settings);
        }, StoredRun.class).run();
    }

    /** The stage {@code name} of the pipeline {@code settings} name, started on first use. */
    static Stage stage(ExtensionContext context, Settings settings, String name) {
        StageRun run = run(context);
        Object key = run.stageKey(settings, name);
        try {
            Stage stage = root(context).getOrComputeIfAbsent(key, k -> run.start(settings, name), Stage.class);
            root(context).getOrComputeIfAbsent(new CoverageKey(key), k -> new StoredCoverage(run, settings, stage),
                    StoredCoverage.class);
            return stage;
        } catch (EngineUnavailableException e) {
            if (settings.skipWithoutDocker()) {
                Assumptions.abort("skipped because " + Settings.SKIP_WITHOUT_DOCKER + "=true and " + e.getMessage());
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
    static Stage testStarted(ExtensionContext context, Settings settings, String name) {
        StageRun run = run(context);
        Stage current = stage(context, settings, name);
        try {
            run.requireRunning(current);
        } catch (ProxyStageException dead) {
            if (!settings.restartDeadStages()) {
                throw new ProxyStageException(dead.getMessage()
                        + " (set -D" + Settings.RESTART_DEAD_STAGES + "=true to restart it instead)");
            }
            root(context).remove(run.stageKey(settings, name), Stage.class);
            current.close();
            current = stage(context, settings, name);
        }
        context.getStore(NAMESPACE).put(new TestStartKey(current.name()), run.testStarted(current));
        context.getStore(NAMESPACE).put(new TestClockKey(), System.nanoTime());
        return current;
    }

    /** A dynamic test starts inside its factory's test: its own mark, in its own context's store. */
    static void dynamicTestStarted(ExtensionContext context, Stage stage) {
        context.getStore(NAMESPACE).put(new TestStartKey(stage.name()), run(context).testStarted(stage));
        context.getStore(NAMESPACE).put(new TestClockKey(), System.nanoTime());
    }

    /**
     * After each test, failed or not: the faults it left on its stage (and on other stages it had injected) are
     * healed, so the next test starts healthy; then the error-log gate, and the test's marks end.
     */
    static void testFinished(ExtensionContext context, Settings settings, Stage stage) {
        StageRun run = run(context);
        Optional<Throwable> failure = context.getExecutionException();
        try {
            try {
                stage.healFaults();
                otherStages(context).stream().filter(other -> other != stage).forEach(Stage::healFaults);
            } finally {
                if (settings.nginxLogGate()) {
                    requireNoNginxAlerts(context, run, stage);
                }
            }
        } catch (AssertionError gate) {
            failure = failure.or(() -> Optional.of(gate));
            throw gate;
        } finally {
            run.testFinished(stage);
            testEnded(context, stage, failure);
        }
    }

    /** Tells the run how a test ended, for its report. */
    static void testEnded(ExtensionContext context, Stage stage, Optional<Throwable> failure) {
        Long started = context.getStore(NAMESPACE).get(new TestClockKey(), Long.class);
        double seconds = started == null ? 0 : (System.nanoTime() - started) / 1e9;
        String diagnostics = failure.isEmpty() ? "" : Optional.ofNullable(context.getStore(NAMESPACE)
                .get(new DiagnosticsKey(), String.class)).orElse("");
        run(context).testEnded(stage, testName(context), failure, diagnostics, seconds);
    }

    /** The test's display names from its class down: {@code RoutesIT › stage prep › routes › vaultwarden home}. */
    private static String testName(ExtensionContext context) {
        Deque<String> names = new ArrayDeque<>();
        for (ExtensionContext c = context; c.getParent().isPresent(); c = c.getParent().get()) {
            names.addFirst(c.getDisplayName());
        }
        return String.join(" › ", names);
    }

    private static final Pattern ALERT = Pattern.compile("\\[(alert|crit|emerg)\\]");

    /**
     * The error-log gate: nginx's {@code [alert]}, {@code [crit]} and {@code [emerg]} lines since the test started
     * fail it, quoted, unless {@link AllowNginxLog} on the test or its classes allows them.
     */
    private static void requireNoNginxAlerts(ExtensionContext context, StageRun run, Stage stage) {
        LogMark start = context.getStore(NAMESPACE).get(new TestStartKey(stage.name()), LogMark.class);
        if (start == null) {
            return;
        }
        List<String> allowed = allowedNginxLog(context);
        List<String> alerts = run.nginxErrorLogSince(stage, start).stream()
                .filter(line -> ALERT.matcher(line).find())
                .filter(line -> allowed.stream().noneMatch(line::contains))
                .toList();
        if (!alerts.isEmpty()) {
            throw new AssertionError("nginx logged " + alerts.size() + (alerts.size() == 1 ? " line" : " lines")
                    + " at [alert], [crit] or [emerg] while this test ran on stage " + stage.name() + " (allow a message"
                    + " with @AllowNginxLog, or set -D" + Settings.NGINX_LOG_GATE + "=false):\n  "
                    + String.join("\n  ", alerts));
        }
    }

    /** The messages {@link AllowNginxLog} allows for this test: on its method, its class and enclosing classes. */
    private static List<String> allowedNginxLog(ExtensionContext context) {
        List<String> allowed = new ArrayList<>();
        context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, AllowNginxLog.class))
                .ifPresent(a -> allowed.addAll(List.of(a.value())));
        for (Class<?> type = context.getTestClass().orElse(null); type != null; type = type.getEnclosingClass()) {
            AnnotationSupport.findAnnotation(type, AllowNginxLog.class).ifPresent(a -> allowed.addAll(List.of(a.value())));
        }
        return allowed;
    }

    /** A stage injected into the test beside its class's own: its faults are healed after the test too. */
    static Stage usedInTest(ExtensionContext context, Stage stage) {
        otherStages(context).add(stage);
        return stage;
    }

    @SuppressWarnings("unchecked")
    private static Set<Stage> otherStages(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(OtherStagesKey.class,
                key -> ConcurrentHashMap.<Stage>newKeySet(), Set.class);
    }

    /** A failing test gets the stage's traces and logs since it started; a passing one adds nothing. */
    static void attachDiagnostics(ExtensionContext context, Stage stage, Throwable failure) {
        LogMark start = context.getStore(NAMESPACE).get(new TestStartKey(stage.name()), LogMark.class);
        if (start != null) {
            String report = run(context).diagnosticsSince(stage, start, Thread.currentThread().getName());
            if (!report.isEmpty()) {
                context.getStore(NAMESPACE).put(new DiagnosticsKey(), report);
                context.publishReportEntry("proxystage", report);
                failure.addSuppressed(new StageDiagnostics(report));
            }
        }
    }

    static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static ExtensionContext.Store root(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE);
    }
}
