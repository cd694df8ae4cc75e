package dev.proxystage.cli;

import java.util.Arrays;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A fresh test JVM: runs fixture classes through the real extension with {@code proxystage.attach=true} and prints
 * what happened ({@code failed <test>: <message>}, each suppressed diagnostics, then {@code summary succeeded=N
 * failed=M}). Arguments: the pipeline file, then fixture class names.
 */
public final class AttachRun {

    private AttachRun() {
    }

    public static void main(String[] args) throws Exception {
        DiscoverySelector[] classes = Arrays.stream(args).skip(1).map(DiscoverySelectors::selectClass)
                .toArray(DiscoverySelector[]::new);
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", args[0])
                .configurationParameter("proxystage.profile", "offline")
                .configurationParameter("proxystage.attach", "true")
                .selectors(classes)
                .execute();
        results.testEvents().failed().stream().forEach(event -> {
            Throwable failure = event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
            System.out.println("failed " + event.getTestDescriptor().getDisplayName() + ": " + failure.getMessage().replace('\n', ' '));
            for (Throwable suppressed : failure.getSuppressed()) {
                System.out.println("suppressed: " + suppressed.getMessage().replace('\n', ' '));
            }
        });
        System.out.println("summary succeeded=" + results.testEvents().succeeded().count()
                + " failed=" + results.testEvents().failed().count());
        System.out.flush();
        System.exit(0);
    }
}
