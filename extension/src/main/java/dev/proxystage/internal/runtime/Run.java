package dev.proxystage.internal.runtime;

import dev.proxystage.LogMark;
import dev.proxystage.ProxyStageException;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import dev.proxystage.spi.StageRun;
import dev.proxystage.internal.check.CheckContext;
import dev.proxystage.internal.config.NginxSpec;
import dev.proxystage.internal.coverage.CoverageReport;
import dev.proxystage.internal.coverage.StageCoverage;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.engine.Attachment;
import dev.proxystage.internal.engine.Engine;
import dev.proxystage.internal.engine.NginxVerdict;
import dev.proxystage.internal.engine.Published;
import dev.proxystage.internal.engine.Recorded;
import dev.proxystage.internal.engine.Reload;
import dev.proxystage.internal.engine.StageInternals;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.Problem;
import dev.proxystage.internal.plan.AttachInputs;
import dev.proxystage.internal.plan.Certificates;
import dev.proxystage.internal.plan.FileContent;
import dev.proxystage.internal.plan.Fingerprint;
import dev.proxystage.internal.plan.ProdSafety;
import dev.proxystage.internal.plan.StagePlan;
import dev.proxystage.internal.report.ReportPage;
import dev.proxystage.internal.report.RunEvidence;
import dev.proxystage.internal.report.StageMap;
import dev.proxystage.internal.report.TestResult;
import dev.proxystage.internal.tls.TestCertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one start path: pipeline.yml (cached per file and profile), the once-per-run sweep of orphans, the run's
 * test CA, the plan (conf.d checks, certificates) and the engine's start. The extension, {@code ProxyStage},
 * the command line's {@code up}, {@code routes} and {@code check} all go through it.
 */
public final class Run implements StageRun, CheckContext {

    private static final Logger LOG = LoggerFactory.getLogger(Run.class);

    private record ConfigKey(Path file, Optional<String> profile, boolean persist, Path dataRoot, boolean faults) {
    }

    /** A stage found by its up's record alone: shared under this key, as its definition was never loaded. */
    private record RecordedKey(ConfigKey config, String stage) {
    }

    private final Engine engine;
    private final String runId;
    private final Consumer<String> progress;
    /** Lines about stage records that were not trusted, each said once: both ways of attaching read the records. */
    private final Set<String> noticed = ConcurrentHashMap.newKeySet();
    private final Map<ConfigKey, PipelineConfig> configs = new ConcurrentHashMap<>();
    private final Map<RecordedKey, Optional<Recorded>> recorded = new ConcurrentHashMap<>();
    private final Map<NginxTestKey, NginxVerdict> nginxVerdicts = new ConcurrentHashMap<>();
    /** Stage names this run has started: a second stage of one name (another pipeline.yml's) gets its own id. */
    private final Set<String> startedNames = ConcurrentHashMap.newKeySet();
    private final RunEvidence evidence;
    /** Where the report is written when the run closes; empty: only when asked ({@link #writeReport}). */
    private volatile Optional<Path> reportAtClose = Optional.empty();
    private volatile TestCertificateAuthority ca;
    private boolean swept;
    /** Whether the sweep starts in the background once a pipeline.yml has loaded ({@link #sweepOnceLoaded()}). */
    private volatile boolean sweepOnceLoaded;
    /** The sweep, when it was started ahead of the first stage ({@link #sweepInBackground}). */
    private CompletableFuture<String> sweeping;
    /** Whether a fresh start also warms the stage client up (a test run's; not up's or check's, which send nothing). */
    private volatile boolean warmClient;
    private boolean closed;

    Run(Engine engine, String runId, Consumer<String> progress) {
        this.engine = engine;
        this.runId = runId;
        this.progress = progress;
        this.evidence = new RunEvidence(runId);
    }

    /** A run on the engine {@code settings} name, reporting progress lines to {@code progress}. */
    public static Run open(Settings settings, Consumer<String> progress) {
        Run run = new Run(Engines.forSettings(settings), RunIds.next(), progress);
        if (settings.attach()) {
            // An attaching JVM's first request waits for the HTTP client, not the engine: while this thread finds
            // the stage, another loads the client's classes.
            ClientWarmup.startOnce();
        }
        return run;
    }

    @Override
    public String runId() {
        return runId;
    }

    /** The pipeline {@code settings} name, loaded once per file, profile and data settings. */
    public PipelineConfig config(Settings settings) {
        PipelineConfig config = configs.computeIfAbsent(configKey(settings), k -> PipelineConfigLoader.load(
                settings.config(), settings.profile(), options(settings)));
        if (sweepOnceLoaded) {
            // Only now: a pipeline.yml that is refused leaves the engine untouched.
            sweepInBackground();
        }
        return config;
    }

    private static ConfigKey configKey(Settings settings) {
        return new ConfigKey(settings.config().toAbsolutePath().normalize(), settings.profile(), settings.persist(),
                settings.dataRoot(), settings.faults());
    }

    static PipelineConfigLoader.Options options(Settings settings) {
        return new PipelineConfigLoader.Options(settings.persist(), settings.dataRoot(), settings.faults());
    }

    /**
     * With {@code proxystage.attach}: the stage a live {@code up} published, when its record says that it is the
     * one these settings would load and that it serves this conf.d; looked up once per stage. A fresh JVM then
     * attaches without reading pipeline.yml or parsing conf.d.
     */
    private Optional<Recorded> recorded(Settings settings, String stage) {
        if (!settings.attach()) {
            return Optional.empty();
        }
        ConfigKey key = configKey(settings);
        return recorded.computeIfAbsent(new RecordedKey(key, stage), k -> engine.recorded(
                new AttachInputs.Wanted(stage, key.file(), settings.profile(), options(settings)), this::notice));
    }

    @Override
    public String select(Settings settings, Optional<String> requested) {
        Optional<String> named = requested.or(settings::stage).filter(s -> !s.isBlank());
        if (named.isPresent() && recorded(settings, named.get()).isPresent()) {
            return named.get();
        }
        return config(settings).select(requested.or(settings::stage)).name();
    }

    @Override
    public List<String> stageNames(Settings settings) {
        return config(settings).stageNames();
    }

    /** The effective definition of {@code stage}; fails naming the known stages when there is none. */
    public StageDefinition definition(Settings settings, String stage) {
        return config(settings).stage(stage);
    }

    @Override
    public Object stageKey(Settings settings, String stage) {
        if (recorded(settings, stage).isPresent()) {
            return new RecordedKey(configKey(settings), stage);
        }
        return definition(settings, stage);
    }

    /** The run's CA, made on first use; its directory is deleted when the run closes. */
    @Override
    public synchronized TestCertificateAuthority ca() {
        if (closed) {
            throw new IllegalStateException("run " + runId + " is closed");
        }
        if (ca == null) {
            ca = TestCertificateAuthority.create(runId);
        }
        return ca;
    }

    /** The conf.d checks and certificates of {@code definition}: everything short of starting containers. */
    public StagePlan plan(StageDefinition definition, Settings settings) {
        return checked(definition, settings).issuedBy(ca());
    }

    /**
     * The checked plan of {@code definition}. When ProxyStage's static reading of nginx's rules refuses it, nginx
     * itself is asked ({@code nginx -t} as the stage runs it, before any backend starts): its verdict stands, and its
     * own lines are the error.
     */
    private StagePlan checked(StageDefinition definition, Settings settings) {
        try {
            return StagePlan.checked(definition, settings.allowProd());
        } catch (ProxyStageException refused) {
            NginxConfig config;
            try {
                config = NginxConfig.parse(definition.nginx().parseRequest());
            } catch (ProxyStageException unparsable) {
                throw refused;
            }
            List<Problem> stageErrors = StagePlan.withoutNginxErrors(StagePlan.check(definition, config), config).stream()
                    .filter(Problem::isError).toList();
            if (!stageErrors.isEmpty() || !engine.answers()) {
                throw refused;
            }
            NginxVerdict verdict = nginxTest(definition, Optional.of(config)).orElseThrow(() -> refused);
            if (!verdict.passed()) {
                throw new ProxyStageException(verdict.errors() + " (nginx -t in " + verdict.image()
                        + ", before stage " + definition.name() + " started)");
            }
            progress.accept("stage " + definition.name() + ": nginx -t accepts what the static check refused ("
                    + refused.getMessage() + "); nginx is the judge");
            return StagePlan.checked(definition, settings.allowProd(), true);
        }
    }

    /** A run of tests: its first fresh start warms the stage client up while the containers start. */
    void warmClientWhileStarting() {
        warmClient = true;
    }

    /** The run's engine, for the command line's facades in this package. */
    Engine engine() {
        return engine;
    }

    /** Whether the run's engine answers now. */
    @Override
    public boolean engineAnswers() {
        return engine.answers();
    }

    /** The engine address this run tries, for a line that says it did not answer. */
    @Override
    public String engineAddress() {
        return engine.address();
    }

    /**
     * {@code nginx -t} for {@code definition} exactly as its stage runs nginx, with the certificates the plan would
     * issue; empty when no engine answers.
     */
    @Override
    public Optional<NginxVerdict> nginxTest(StageDefinition definition, Optional<NginxConfig> config) {
        if (!engine.answers()) {
            return Optional.empty();
        }
        Map<String, FileContent> files = Map.of();
        if (config.isPresent()) {
            try {
                files = Certificates.filesFor(config.get(), definition.tls(), ca());
            } catch (ProxyStageException tlsProblem) {
                // reported by the static check; nginx then says what the missing files do
            }
        }
        // Stages of one pipeline mostly share nginx's image, files and aliases: nginx is asked once for each such set.
        NginxTestKey key = new NginxTestKey(definition.nginx(),
                new TreeSet<>(definition.backends().stream().map(b -> b.alias()).toList()),
                new TreeSet<>(files.keySet()), config.isPresent());
        Map<String, FileContent> placed = files;
        return Optional.of(nginxVerdicts.computeIfAbsent(key, k -> engine.nginxTest(definition, placed, config, runId)));
    }

    /** What an nginx -t run depends on: certificates differ per run only in their bytes, which nginx -t does not judge. */
    private record NginxTestKey(NginxSpec nginx, Set<String> aliases, Set<String> files, boolean parsed) {
    }

    /** {@link #plan} again for a stage that runs with {@code running}: unchanged certificates are kept. */
    public StagePlan replan(StagePlan running, StageDefinition definition, Settings settings) {
        return StagePlan.prepareAfter(running, definition, ca(), settings.allowProd());
    }

    /** A promotion gate's baseline that is no stage of the pipeline fails before anything starts. */
    private void requireKnownBaseline(Settings settings) {
        Optional<String> baseline = settings.promotionSameAs();
        if (baseline.isPresent()) {
            List<String> known = stageNames(settings);
            if (!known.contains(baseline.get())) {
                throw new ProxyStageException(Settings.PROMOTION_SAME_AS + "=" + baseline.get() + " names no stage of "
                        + settings.config() + " (its stages: " + String.join(", ", known) + ")");
            }
        }
    }

    @Override
    public StageInternals start(Settings settings, String stage) {
        Optional<Recorded> found = recorded(settings, stage);
        if (found.isPresent()) {
            long started = System.nanoTime();
            try {
                StageInternals attached = found.get().attach(
                        () -> StagePlan.checked(definition(settings, stage), settings.allowProd()));
                progress.accept("attached to stage " + stage + " (run " + attached.runId() + ", found by its up's record,"
                        + " which has this pipeline.yml and conf.d) in " + Millis.since(started));
                return bound(attached, List.of());
            } catch (ProxyStageException gone) {
                // It stopped since it was found: the full way says what to do instead.
                LOG.debug("attaching to run {} by its record failed: {}", found.get().runId(), gone.getMessage());
            }
        }
        if (settings.attach()) {
            // The full way needs the engine: it is reached while this thread reads pipeline.yml and conf.d.
            engine.connectInBackground();
        }
        StageDefinition definition = definition(settings, stage);
        requireKnownBaseline(settings);
        return settings.attach() ? attachOrStart(definition, settings) : start(plan(definition, settings));
    }

    /**
     * With {@code proxystage.attach}: the stage a live {@code up} of this host holds, when its definition and
     * conf.d are the ones wanted; otherwise a fresh stage, and one line saying why. Attaching issues no
     * certificates (the running stage has them) and makes no CA: only a fresh start does.
     */
    public StageInternals attachOrStart(StageDefinition definition, Settings settings) {
        String name = definition.name();
        if (!ProdSafety.mayShare(definition)) {
            progress.accept("not attaching to stage " + name + ": prod is never shared; starting a fresh stage");
            return start(plan(definition, settings));
        }
        long started = System.nanoTime();
        StagePlan checked = checked(definition, settings);
        Attachment found = engine.attach(checked, Fingerprint.of(definition), this::notice);
        if (found.stage().isPresent()) {
            StageInternals stage = found.stage().get();
            progress.accept("attached to stage " + name + " (run " + stage.runId() + ", " + found.reason() + ") in "
                    + Millis.since(started));
            return bound(stage, checked.warnings());
        }
        progress.accept(found.reason() + "; starting a fresh stage");
        LOG.debug("attach refused for {}: {}", name, found.reason());
        return start(checked.issuedBy(ca()));
    }

    private void notice(String line) {
        if (noticed.add(line)) {
            progress.accept(line);
        }
    }

    /**
     * Starts a planned stage that tests may attach to ({@code up}): its fingerprint is kept beside the CA
     * certificate, and the engine marks the stage with both. Prod is started as any stage, never published.
     */
    public StageInternals startPublished(Settings settings, StagePlan plan) {
        if (!ProdSafety.mayShare(plan.definition())) {
            return start(plan);
        }
        Fingerprint fingerprint = Fingerprint.of(plan.definition());
        Path caCertificatePem = plan.trust().orElseThrow().caCertificatePem();
        fingerprint.writeTo(caCertificatePem.getParent());
        return start(plan, new Published(fingerprint, caCertificatePem,
                AttachInputs.of(plan.definition(), config(settings).sources())));
    }

    /** Reloads a published stage's nginx with {@code plan}; once applied, attaching tests see its new fingerprint. */
    public Reload reload(StageInternals stage, StagePlan plan) {
        Fingerprint fingerprint = Fingerprint.of(plan.definition());
        Reload result = stage.reload(plan);
        if (result.isApplied() && ProdSafety.mayShare(plan.definition())) {
            fingerprint.writeTo(plan.trust().orElseThrow().caCertificatePem().getParent());
        }
        return result;
    }

    /** Starts a planned stage: the sweep first (once per run), then the engine. */
    public StageInternals start(StagePlan plan) {
        return start(plan, null);
    }

    private StageInternals start(StagePlan plan, Published published) {
        long started = System.nanoTime();
        // The engine's names are <stage>-<id>: a second stage of a name this run holds (from another pipeline.yml)
        // would take the first one's network and containers, so it runs under an id of its own.
        String id = startedNames.add(plan.definition().name()) ? runId : RunIds.next();
        // Said before the engine is first reached, so a slow or absent engine is never silence.
        progress.accept("starting stage " + plan.definition().name() + " (run " + id + ")");
        sweepOnce();
        if (warmClient) {
            // The containers' start is mostly waiting on the engine: the client's classes load meanwhile (not
            // sooner: until the engine is reached, its client's classes are loading on the other core).
            ClientWarmup.startOnce();
        }
        StageInternals stage = published == null ? engine.start(plan, id) : engine.start(plan, id, published);
        progress.accept("stage " + plan.definition().name() + " is up in " + Millis.since(started));
        return bound(stage, plan.warnings());
    }

    /** {@code stage} records its route answers into this run's evidence, which maps its routing once. */
    private StageInternals bound(StageInternals stage, List<Problem> warnings) {
        StageMap map;
        try {
            map = StageMap.of(stage.definition(), stage.nginxConfig(), warnings);
        } catch (RuntimeException unmappable) {
            // The report then lacks this stage's map; the stage itself is fine.
            LOG.debug("no routing map for stage {}: {}", stage.name(), unmappable.toString());
            map = null;
        }
        evidence.stageOrder(stage.definition().allStages());
        evidence.bind(stage, map);
        return stage;
    }

    /** What this run found so far: the report's content. */
    public RunEvidence evidence() {
        return evidence;
    }

    /** Writes the report into {@code dir} ({@code index.html}) when the run closes, if it found anything. */
    public void reportAtClose(Optional<Path> dir) {
        reportAtClose = dir;
    }

    /** Writes the report of what this run found into {@code dir} now; returns the page. */
    public Path writeReport(Path dir) {
        return ReportPage.write(dir, evidence);
    }

    @Override
    public void testEnded(Stage stage, String name, Optional<Throwable> failure, String diagnostics, double seconds) {
        evidence.test(new TestResult(name, stage.name(), failure.isEmpty(),
                failure.map(f -> f.getClass().getSimpleName() + ": " + f.getMessage()).orElse(""), diagnostics, seconds));
    }

    /**
     * Asks for the once-per-run sweep to start in the background as soon as a pipeline.yml has loaded (one that is
     * refused leaves the engine untouched).
     */
    void sweepOnceLoaded() {
        sweepOnceLoaded = true;
    }

    /**
     * Starts the once-per-run sweep on a thread of its own: it waits for the engine's connection, then lists and
     * removes orphans while this thread reads conf.d and makes the CA. The first stage's start still waits for it,
     * and its failure is said there, as before.
     */
    private synchronized void sweepInBackground() {
        if (!swept && sweeping == null) {
            sweeping = new CompletableFuture<>();
            CompletableFuture<String> result = sweeping;
            Thread thread = new Thread(() -> {
                try {
                    result.complete(engine.sweepOrphans());
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            }, "proxystage-sweep");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private synchronized void sweepOnce() {
        if (!swept) {
            swept = true;
            String report = sweeping == null ? engine.sweepOrphans() : joined(sweeping);
            if (!report.isEmpty()) {
                LOG.info("{}", report);
            }
        }
    }

    private static String joined(CompletableFuture<String> sweep) {
        try {
            return sweep.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    @Override
    public void requireRunning(Stage stage) {
        StageInternals.of(stage).requireRunning();
    }

    @Override
    public LogMark testStarted(Stage stage) {
        return StageInternals.of(stage).testStarted();
    }

    @Override
    public void testFinished(Stage stage) {
        StageInternals.of(stage).testFinished();
    }

    @Override
    public List<String> nginxErrorLogSince(Stage stage, LogMark mark) {
        return StageInternals.of(stage).nginxErrorLogSince(mark);
    }

    @Override
    public String diagnosticsSince(Stage stage, LogMark mark, String thread) {
        return StageInternals.of(stage).diagnosticsSince(mark, thread);
    }

    /** The name of the file each stage's conf.d coverage is written to, in the report's directory. */
    public static final String COVERAGE_FILE = "coverage.json";

    /**
     * Where a test run writes its coverage: beside its report ({@code target/proxystage} by default, relative to the
     * working directory, a build's module), so the report renders it; there too when the report is off.
     */
    public static Path coverageFile(Settings settings) {
        return settings.report().orElse(Settings.DEFAULT_REPORT).resolve(COVERAGE_FILE);
    }

    /**
     * Writes the coverage this run has counted so far to {@code file}; false when it counted none (then a file left
     * there by an earlier run is removed, so a report beside it does not show that run's).
     */
    public synchronized boolean writeCoverage(Path file) {
        if (coverage == null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new ProxyStageException("cannot remove the earlier coverage " + file + ": " + e.getMessage());
            }
            return false;
        }
        coverage.write(file);
        return true;
    }

    private CoverageReport coverage;

    private synchronized CoverageReport coverageReport(Settings settings) {
        if (coverage == null) {
            coverage = new CoverageReport(projectRoot(settings));
        }
        return coverage;
    }

    /** The directory of pipeline.yml: what coverage's files are shown relative to. */
    private static Path projectRoot(Settings settings) {
        Path root = settings.config().toAbsolutePath().normalize().getParent();
        return root == null ? Path.of("").toAbsolutePath() : root;
    }

    /**
     * Adds {@code stage}'s coverage to the run's report and returns the report's lines for it (the summary, then the
     * locations never reached); empty when its engine does not count coverage.
     */
    public List<String> coverage(Settings settings, Stage stage) {
        Optional<StageCoverage> counted = stage instanceof StageInternals internals ? internals.coverage()
                : Optional.empty();
        if (counted.isEmpty()) {
            return List.of();
        }
        CoverageReport report = coverageReport(settings);
        CoverageReport single = new CoverageReport(projectRoot(settings));
        var snapshot = counted.get().snapshot();
        report.add(counted.get().stage(), snapshot);
        return single.add(counted.get().stage(), snapshot).lines();
    }

    @Override
    public void stageFinished(Settings settings, Stage stage) {
        Optional<StageCoverage> counted = stage instanceof StageInternals internals ? internals.coverage()
                : Optional.empty();
        if (counted.isEmpty()) {
            return;
        }
        CoverageReport report = coverageReport(settings);
        report.add(counted.get().stage(), counted.get().snapshot());
        report.write(coverageFile(settings));
        Optional<String> failure = report.gate(counted.get().stage(), settings.coverageMinimum());
        if (failure.isPresent()) {
            throw new AssertionError(failure.get());
        }
    }

    @Override
    public void runFinished(Settings settings) {
        Optional<String> baseline = settings.promotionSameAs();
        if (baseline.isEmpty() || evidence.answers().isEmpty()) {
            return;
        }
        Optional<String> failure = evidence.promotionGate(baseline.get(), Settings.PROMOTION_SAME_AS + "=" + baseline.get());
        if (failure.isPresent()) {
            throw new AssertionError(failure.get());
        }
    }

    @Override
    public synchronized void close() {
        if (!closed && reportAtClose.isPresent() && !(evidence.tests().isEmpty() && evidence.answers().isEmpty())) {
            try {
                Path page = writeReport(reportAtClose.get());
                progress.accept("report: " + page);
            } catch (RuntimeException e) {
                LOG.warn("the run's report was not written: {}", e.getMessage());
            }
        }
        closed = true;
        if (ca != null) {
            ca.close();
        }
    }

    @Override
    public String toString() {
        return "run " + runId;
    }

    /** Thrown when a setting names an engine that cannot be had. */
    static ProxyStageException unknownEngine(String name, String why) {
        return new ProxyStageException(Settings.ENGINE + "=" + name + ": " + why);
    }
}
