package dev.proxystage.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.proxystage.bench.suite.SuiteClasses;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Case 4: the first N classes of {@link SuiteClasses} through the JUnit Platform Launcher, in this JVM, with
 * {@code proxystage.config} and {@code proxystage.profile=offline} as configuration parameters. One execution is a
 * whole test run: the root store, and so the stage, lives from the first class to the end of the run.
 */
final class SuiteRun {

    record Outcome(double millis, int nginxStarts, long succeeded, long failed, String firstFailure) {
    }

    private final Path pipeline;
    private final long pid = ProcessHandle.current().pid();

    SuiteRun(Path root) {
        this.pipeline = root.resolve("example-tests/pipeline.yml");
    }

    Outcome run(int n) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            selectors.add(selectClass(SuiteClasses.ALL[i]));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .configurationParameter("proxystage.config", pipeline.toString())
                .configurationParameter("proxystage.profile", "offline")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        Instant since = Instant.now();
        long started = System.nanoTime();
        launcher.execute(request, summary);
        double millis = (System.nanoTime() - started) / 1e6;
        Instant until = Instant.now();
        int starts = DockerCli.nginxStarts(since, until, pid);
        TestExecutionSummary s = summary.getSummary();
        String failure = s.getFailures().isEmpty() ? "" : s.getFailures().get(0).getTestIdentifier().getDisplayName()
                + ": " + s.getFailures().get(0).getException();
        return new Outcome(millis, starts, s.getTestsSucceededCount(), s.getTotalFailureCount(), failure);
    }
}
