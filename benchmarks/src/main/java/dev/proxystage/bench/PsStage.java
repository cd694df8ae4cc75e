package dev.proxystage.bench;

import dev.proxystage.ProxyResponse;
import dev.proxystage.internal.config.PipelineConfig;
import dev.proxystage.internal.config.PipelineConfigLoader;
import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.docker.StageEnvironment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Case (c): ProxyStage's own API, as the extension uses it for one run: load pipeline.yml with the offline overlay,
 * prepare the stage's plan (parse + check of conf.d, and whatever the run needs first, see {@link PsApi}),
 * {@code StageEnvironment.start}, then the first {@code GET http://vw.example.com/} through its client.
 */
final class PsStage {

    private final Path pipeline;
    /** Time spent making the run resource (the test CA) in {@link #up}, per call. */
    final Series runResourceMillis = new Series();
    /** Time spent loading pipeline.yml and preparing the plan in {@link #up}, per call. */
    final Series planMillis = new Series();

    PsStage(Path root) {
        this.pipeline = root.resolve("example-tests/pipeline.yml");
    }

    StageDefinition definition(String stage) {
        PipelineConfig config = PipelineConfigLoader.load(pipeline, Optional.of("offline"));
        return config.stage(stage);
    }

    /** Everything from reading pipeline.yml to the first 200 through nginx, for a run that already has its resource. */
    StageEnvironment start(String stage, String runId, Object runResource) {
        long t = System.nanoTime();
        var plan = PsApi.prepare(definition(stage), runResource);
        double planMs = (System.nanoTime() - t) / 1e6;
        StageEnvironment env = StageEnvironment.start(plan, runId, java.time.Duration.ofSeconds(15));
        try {
            firstOk(env);
            synchronized (planMillis) {
                planMillis.add(planMs);
            }
            return env;
        } catch (RuntimeException | Error e) {
            env.close();
            throw e;
        }
    }

    /** One whole run of one stage: the run's resource, then the stage; down closes both. */
    RunningStage up(String runId) {
        long t = System.nanoTime();
        Object resource = PsApi.runResource(runId);
        double resourceMs = (System.nanoTime() - t) / 1e6;
        StageEnvironment env;
        try {
            env = start("prep", runId, resource);
        } catch (RuntimeException | Error e) {
            PsApi.close(resource);
            throw e;
        }
        if (resource != null) {
            runResourceMillis.add(resourceMs);
        }
        return new RunningStage() {
            @Override
            public int nginxPort() {
                return env.nginx().mappedPorts().get(80);
            }

            @Override
            public java.util.Map<Integer, Integer> ports() {
                return env.nginx().mappedPorts();
            }

            @Override
            public void down() {
                try {
                    env.close();
                } finally {
                    PsApi.close(resource);
                }
            }
        };
    }

    /** GET http://vw.example.com/ through the stage client, following conf.d's redirects to the first 200. */
    static String firstOk(StageEnvironment env) {
        return FirstOk.follow(url -> {
            ProxyResponse response = env.client().get(url);
            return new FirstOk.Answer(response.status(), response.header("Location").orElse(null));
        });
    }
}
