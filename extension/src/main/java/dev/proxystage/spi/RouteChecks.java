package dev.proxystage.spi;

import dev.proxystage.ProxyStageException;
import dev.proxystage.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Service provider interface between {@link dev.proxystage.RouteTableContract} and ProxyStage's runtime, found with
 * {@link ServiceLoader} so that the API never depends on the implementation. Not for users.
 */
public interface RouteChecks {

    /** One route's check in one stage: named after the route; fails with an {@link AssertionError}. */
    record RouteCheck(String name, Consumer<Stage> check) {
    }

    /**
     * The checks of {@code table}'s routes for {@code stage}, in the table's order; routes the stage skips have
     * none. Bad input fails with one {@link ProxyStageException} naming {@code file:line:column}.
     */
    List<RouteCheck> load(Path table, String stage);

    /** The runtime's implementation. */
    static RouteChecks get() {
        return ServiceLoader.load(RouteChecks.class, RouteChecks.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("ProxyStage's runtime is missing from the class path"));
    }
}
