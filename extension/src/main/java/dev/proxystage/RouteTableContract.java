package dev.proxystage;

import dev.proxystage.spi.RouteChecks;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A ready-made test: extend it with {@code @PipelineStage} or {@code @ForEachStage} and every route of the route
 * table must do what the table says, one dynamic test per route (named after it, with its own diagnostics when it
 * fails):
 *
 * <pre>{@code
 * @ForEachStage({"wip", "prep", "ship"})
 * @RouteTable("routes.yml")
 * class RoutesIT extends RouteTableContract {
 * }
 * }</pre>
 */
public abstract class RouteTableContract {

    @TestFactory
    @DisplayName("routes")
    public Stream<DynamicTest> routes(Stage stage, Settings settings) {
        Path pipelineDir = settings.config().toAbsolutePath().normalize().getParent();
        RouteTable annotation = getClass().getAnnotation(RouteTable.class);
        Path table = annotation == null ? pipelineDir.resolve("routes.yml") : pipelineDir.resolve(annotation.value());
        return RouteChecks.get().load(table, stage.name()).stream()
                .map(check -> DynamicTest.dynamicTest(check.name(), () -> check.check().accept(stage)));
    }
}
