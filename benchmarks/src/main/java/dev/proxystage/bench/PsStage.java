package dev.proxystage.bench;

import dev.proxystage.ProxyResponse;
import dev.proxystage.ProxyStage;
import dev.proxystage.Settings;
import dev.proxystage.Stage;
import dev.proxystage.spi.StageRun;
import dev.proxystage.spi.StageRuntime;
import java.nio.file.Path;
import java.util.Map;

/**
 * Case (c): ProxyStage through its public start path only: {@code ProxyStage.pipeline(...).profile("offline")
 * .stage(...).start()} for a stage in a run of its own, or {@code StageRuntime.openRun} and {@code run.start} for
 * stages sharing one run (run id, test CA), as the extension does; then the first {@code GET http://vw.example.com/}.
 */
final class PsStage {

    private final Path pipeline;

    /** The example project's pipeline under the repository {@code root}. */
    PsStage(Path root) {
        this.pipeline = root.resolve("example-tests/pipeline.yml");
    }

    private PsStage(Path pipeline, boolean file) {
        this.pipeline = pipeline;
    }

    /** The pipeline in {@code file}. */
    static PsStage forPipeline(Path file) {
        return new PsStage(file, true);
    }

    Settings settings() {
        return ProxyStage.pipeline(pipeline).profile("offline").settings();
    }

    /** A run that several stages share; the caller closes its stages, then the run. */
    StageRun openRun() {
        return StageRuntime.get().openRun(settings());
    }

    /** Starts {@code stage} in {@code run} and waits for its first 200 through nginx. */
    Stage start(StageRun run, String stage) {
        Stage started = run.start(settings(), stage);
        try {
            firstOk(started);
            return started;
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
    }

    /** One whole run of one stage by the public builder; down closes it (and so its run). */
    RunningStage up(String ignoredId) {
        Stage stage = ProxyStage.pipeline(pipeline).profile("offline").stage("prep").start();
        try {
            firstOk(stage);
        } catch (RuntimeException | Error e) {
            stage.close();
            throw e;
        }
        return new RunningStage() {
            @Override
            public int nginxPort() {
                return stage.nginx().mappedPorts().get(80);
            }

            @Override
            public Map<Integer, Integer> ports() {
                return stage.nginx().mappedPorts();
            }

            @Override
            public void down() {
                stage.close();
            }

            @Override
            public String runId(String given) {
                return stage.runId();
            }
        };
    }

    /** GET http://vw.example.com/ through the stage client, following conf.d's redirects to the first 200. */
    static String firstOk(Stage stage) {
        return FirstOk.follow(url -> {
            ProxyResponse response = stage.client().get(url);
            return new FirstOk.Answer(response.status(), response.header("Location").orElse(null));
        });
    }
}
