package dev.proxystage.bench;

import dev.proxystage.bench.suite.NoStage;
import dev.proxystage.bench.suite.OkHttpOnly;
import dev.proxystage.bench.suite.SuiteClasses;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A fresh test JVM, as an IDE or {@code mvn verify} starts one: one {@code @PipelineStage("prep")} class through
 * the JUnit Launcher. Prints {@code FIRST_TEST ms=<from JVM start to the first test passing>}.
 *
 * <p>Arguments: {@code PIPELINE attach|cold [TEST_CLASS]} (default: the suite's first class), or {@code PIPELINE floor} with {@code -Dbench.port}: JUnit and one plain
 * request, no ProxyStage (what every fresh test JVM pays before ProxyStage does anything), or {@code PIPELINE okhttp}:
 * JUnit and one request through a plain OkHttp client (what any OkHttp-based client's first test pays).
 */
public final class FirstTestJvm {

    private FirstTestJvm() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        // -Dbench.profile: the pipeline's profile (offline by default; empty for a pipeline without profiles)
        String profile = System.getProperty("bench.profile", "offline");
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request()
                .selectors(args[1].equals("floor") ? DiscoverySelectors.selectClass(NoStage.class)
                        : args[1].equals("okhttp") ? DiscoverySelectors.selectClass(OkHttpOnly.class)
                        : args.length > 2 ? DiscoverySelectors.selectClass(args[2]) : DiscoverySelectors.selectClass(SuiteClasses.ALL[0]))
                .configurationParameter("proxystage.config", args[0])
                .configurationParameter("proxystage.attach", Boolean.toString(args[1].equals("attach")));
        if (!profile.isEmpty()) {
            builder.configurationParameter("proxystage.profile", profile);
        }
        LauncherDiscoveryRequest request = builder.build();
        AtomicBoolean passed = new AtomicBoolean();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL && passed.compareAndSet(false, true)) {
                    System.out.println("FIRST_TEST ms=" + (System.currentTimeMillis() - jvmStart));
                    System.out.flush();
                }
                result.getThrowable().ifPresent(t -> System.out.println("FAILED " + t));
            }
        });
        System.exit(passed.get() ? 0 : 1);
    }
}
