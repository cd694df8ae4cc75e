package dev.proxystage.glue;

import static dev.proxystage.ProxyStageAssertions.assertThat;

import dev.proxystage.AllowNginxLog;
import dev.proxystage.ForEachStage;
import dev.proxystage.PipelineStage;
import dev.proxystage.ProxyStageExtension;
import dev.proxystage.RouteTable;
import dev.proxystage.RouteTableContract;
import dev.proxystage.Stage;
import dev.proxystage.StageClient;
import java.nio.file.Path;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fixture classes for {@link GlueTest}; their names keep surefire from running them on their own. */
public final class GlueFixtures {

    private GlueFixtures() {
    }

    @PipelineStage("prep")
    public static class Routed {

        @Test
        void routedToItsBackend(StageClient client) {
            assertThat(client.get("http://vw.example.com/")).hasStatus(200).wasRoutedTo("vaultwarden");
        }

        @Test
        void everyTypeIsInjected(Stage stage, StageClient client, OkHttpClient http) {
            Assertions.assertThat(stage.name()).isEqualTo("prep");
            Assertions.assertThat(client.stage()).isEqualTo("prep");
            Assertions.assertThat(http).isSameAs(stage.client().okHttp());
        }
    }

    /** Same stage as {@link Routed}: shares its environment. */
    @PipelineStage("prep")
    public static class SameStage {

        @Test
        void alsoPrep(Stage stage) {
            Assertions.assertThat(stage.name()).isEqualTo("prep");
        }
    }

    @PipelineStage("prep")
    public static class WrongRoute {

        @Test
        void expectsAnotherBackend(StageClient client) {
            assertThat(client.get("http://vw.example.com/")).wasRoutedTo("admin");
        }
    }

    @PipelineStage
    public static class DefaultStage {

        @Test
        void runsOnTheSelectedStage(Stage stage) {
            System.setProperty("glue.stage", stage.name());
        }
    }

    @PipelineStage("prod-typo")
    public static class UnknownStage {

        @Test
        void neverRuns() {
        }
    }

    public static class Matrix {

        @ForEachStage({"wip", "prep", "ship"})
        void everywhere(Stage stage, StageClient client) {
            assertThat(client.get("http://vw.example.com/")).hasStatus(200).wasRoutedTo("vaultwarden");
            Assertions.assertThat(client.stage()).isEqualTo(stage.name());
        }
    }

    public static class Programmatic {

        @RegisterExtension
        static ProxyStageExtension ship = ProxyStageExtension.forStage("ship")
                .config(Path.of("src/test/resources/glue/pipeline.yml")).build();

        @Test
        void boundToShip(Stage stage) {
            Assertions.assertThat(stage.name()).isEqualTo("ship");
        }
    }

    /** The annotation (here inherited) and a programmatic instance for the same stage: the instance acts alone. */
    @PipelineStage("ship")
    public static class AnnotatedShipBase {
    }

    public static class BothRegistrationsAgree extends AnnotatedShipBase {

        @RegisterExtension
        static ProxyStageExtension ship = ProxyStageExtension.forStage("ship")
                .config(Path.of("src/test/resources/glue/pipeline.yml")).build();

        @Test
        void boundToShip(Stage stage, StageClient client) {
            Assertions.assertThat(stage.name()).isEqualTo("ship");
            Assertions.assertThat(client.stage()).isEqualTo("ship");
        }
    }

    @PipelineStage("prep")
    public static class BothRegistrationsDisagree {

        @RegisterExtension
        static ProxyStageExtension wip = ProxyStageExtension.forStage("wip")
                .config(Path.of("src/test/resources/glue/pipeline.yml")).build();

        @Test
        void neverRuns(Stage stage) {
            Assertions.fail("a class naming two stages must not run");
        }
    }

    /** nginx's error log during a test: [alert], [crit] and [emerg] fail it unless allowed; [error] does not. */
    @PipelineStage("prep")
    public static class NginxLogs {

        @Test
        void crit(StageClient client) {
            FakeEngine.NGINX_ERROR_LOG.add("2026/12/07 10:00:00 [crit] 22#22: *1 connect() to unix:/run/app.sock failed"
                    + " (2: No such file or directory) while connecting to upstream");
        }

        @Test
        void errorOnly(StageClient client) {
            FakeEngine.NGINX_ERROR_LOG.add("2026/12/07 10:00:01 [error] 22#22: *2 open() \"/srv/x\" failed (2: No such file)");
        }

        @Test
        @AllowNginxLog("connect() to unix:/run/app.sock failed")
        void allowed(StageClient client) {
            FakeEngine.NGINX_ERROR_LOG.add("2026/12/07 10:00:02 [crit] 22#22: *3 connect() to unix:/run/app.sock failed"
                    + " (2: No such file or directory) while connecting to upstream");
        }
    }

    @PipelineStage("prep")
    public static class TwoTests {

        @Test
        void first(Stage stage) {
        }

        @Test
        void second(Stage stage) {
        }
    }

    /** Five routes as dynamic tests; the third fails. */
    @PipelineStage("prep")
    public static class FiveRoutes {

        @TestFactory
        Stream<DynamicNode> routes(StageClient client) {
            // the last two inside a container: nesting changes nothing
            IntFunction<DynamicTest> route = i -> DynamicTest.dynamicTest("route " + i,
                    () -> assertThat(client.get("http://vw.example.com/route-" + i)).hasStatus(i == 3 ? 418 : 200));
            return Stream.of(route.apply(1), route.apply(2), route.apply(3),
                    DynamicContainer.dynamicContainer("more", Stream.of(route.apply(4), route.apply(5))));
        }
    }

    /** Three invocations; the second fails. */
    @PipelineStage("prep")
    public static class ParameterizedRoutes {

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3})
        void route(int i, StageClient client) {
            assertThat(client.get("http://vw.example.com/param-" + i)).hasStatus(i == 2 ? 418 : 200);
        }
    }

    /** One invocation per stage; prep's fails. */
    public static class MatrixRoutes {

        @ForEachStage({"wip", "prep", "ship"})
        void route(StageClient client) {
            assertThat(client.get("http://vw.example.com/in-" + client.stage())).hasStatus(client.stage().equals("prep") ? 418 : 200);
        }
    }

    /** The ready-made contract on the glue's routes.yml (beside its pipeline.yml). */
    @PipelineStage("prep")
    public static class RoutesContract extends RouteTableContract {
    }

    /** The contract across two stages: one matrix in the run's report. */
    @ForEachStage({"wip", "prep"})
    public static class MatrixContract extends RouteTableContract {
    }

    /** A table that does not parse: the factory fails with file:line:column. */
    @PipelineStage("prep")
    @RouteTable("broken-routes.yml")
    public static class BrokenRoutesContract extends RouteTableContract {
    }

    /** One table across wip and prep, for the promotion gate. */
    @ForEachStage({"wip", "prep"})
    @dev.proxystage.RouteTable("promotion-routes.yml")
    public static class PromotionContract extends RouteTableContract {
    }

    /** The same routes, with prep's difference declared in the table. */
    @ForEachStage({"wip", "prep"})
    @dev.proxystage.RouteTable("promotion-differs.yml")
    public static class DeclaredDifferenceContract extends RouteTableContract {
    }
}
