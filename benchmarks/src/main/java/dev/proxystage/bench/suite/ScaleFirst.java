package dev.proxystage.bench.suite;

import dev.proxystage.PipelineStage;
import dev.proxystage.StageClient;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** A first test on the scale rows' stage (one server block per backend): one route, through nginx. */
@PipelineStage("prep")
public class ScaleFirst {

    @Test
    void routed(StageClient client) {
        Assertions.assertEquals(200, client.get("http://b001.example.com/").status());
    }
}
