package dev.proxystage.internal.docker;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The forked JVM of {@link RemoteEngineIT}: runs {@link RemoteFixtures.Prep} through the real extension and prints
 * each test's outcome ({@code outcome <method> <STATUS> <message>}) and its failure's diagnostics ({@code diag ...}).
 * Arguments: the pipeline file and the profile.
 */
public final class RemoteStageRun {

    private RemoteStageRun() {
    }

    public static void main(String[] args) {
        var results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("proxystage.config", args[0])
                .configurationParameter("proxystage.profile", args[1])
                .selectors(DiscoverySelectors.selectClass(RemoteFixtures.Prep.class))
                .execute();
        results.allEvents().finished().stream().forEach(event -> {
            TestExecutionResult result = event.getPayload(TestExecutionResult.class).orElseThrow();
            String name = event.getTestDescriptor().getSource()
                    .filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName())
                    .orElse(event.getTestDescriptor().getDisplayName());
            String message = result.getThrowable().map(t -> String.valueOf(t.getMessage()).lines().findFirst().orElse(""))
                    .orElse("");
            System.out.println("outcome " + name + " " + result.getStatus() + " " + message);
            result.getThrowable().ifPresent(t -> {
                String.valueOf(t.getMessage()).lines().skip(1).forEach(line -> System.out.println("more " + line));
                for (Throwable suppressed : t.getSuppressed()) {
                    System.out.println("diag " + suppressed.getClass().getSimpleName());
                    String.valueOf(suppressed.getMessage()).lines().forEach(line -> System.out.println("diag " + line));
                }
            });
        });
        System.out.println("done");
    }
}
