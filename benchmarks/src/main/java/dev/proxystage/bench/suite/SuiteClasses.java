package dev.proxystage.bench.suite;

import dev.proxystage.PipelineStage;
import dev.proxystage.StageClient;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Twenty trivial test classes on the prep stage for the suite-scaling case. Each is an independent top-level test
 * class for JUnit (static member classes); the harness selects the first N through the Launcher. Not named *Test
 * or *IT on purpose: nothing here runs in the build.
 */
public final class SuiteClasses {

    private SuiteClasses() {
    }

    /** What every class does: one request through the stage's nginx (answered, or redirected to https, by conf.d). */
    static void routed(StageClient client) {
        int status = client.get("http://vw.example.com/").status();
        Assertions.assertTrue(status >= 200 && status < 400, "status " + status);
    }

    /** The classes, in order. */
    public static final Class<?>[] ALL = {
        Class01.class, Class02.class, Class03.class, Class04.class, Class05.class,
        Class06.class, Class07.class, Class08.class, Class09.class, Class10.class,
        Class11.class, Class12.class, Class13.class, Class14.class, Class15.class,
        Class16.class, Class17.class, Class18.class, Class19.class, Class20.class,
    };

    @PipelineStage("prep")
    public static class Class01 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class02 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class03 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class04 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class05 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class06 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class07 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class08 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class09 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class10 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class11 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class12 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class13 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class14 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class15 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class16 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class17 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class18 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class19 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

    @PipelineStage("prep")
    public static class Class20 {
        @Test
        void routed(StageClient client) {
            SuiteClasses.routed(client);
        }
    }

}
