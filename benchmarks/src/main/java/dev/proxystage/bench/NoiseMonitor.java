package dev.proxystage.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.DockerClientFactory;

/**
 * Samples, once a second while the harness runs, how many running containers on the engine are not ours (other
 * people's work on the same engine) and the 1-minute load average: the noise behind the figures.
 */
final class NoiseMonitor implements AutoCloseable {

    private final long pid;
    private final String benchValue;
    private final Thread thread;
    private volatile boolean running = true;
    private int samples;
    private int busySamples;
    private int maxForeign;
    private double maxLoad;

    NoiseMonitor(long pid, String benchValue) {
        this.pid = pid;
        this.benchValue = benchValue;
        this.thread = new Thread(this::loop, "bench-noise");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        DockerClient docker;
        try {
            docker = DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            return;
        }
        while (running) {
            try {
                int foreign = 0;
                for (Container c : docker.listContainersCmd().exec()) {
                    if (!ours(c)) {
                        foreign++;
                    }
                }
                double load = load();
                synchronized (this) {
                    samples++;
                    if (foreign > 0) {
                        busySamples++;
                    }
                    maxForeign = Math.max(maxForeign, foreign);
                    maxLoad = Math.max(maxLoad, load);
                }
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the engine is busy or gone for a moment; try again
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private boolean ours(Container c) {
        Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
        if (String.valueOf(pid).equals(labels.get("dev.proxystage.pid")) || benchValue.equals(labels.get(DockerCli.BENCH_LABEL))) {
            return true;
        }
        // fresh-JVM children label with their own pid, but their names carry our run ids
        for (String name : c.getNames() == null ? new String[0] : c.getNames()) {
            if (name.contains(benchValue + "x")) {
                return true;
            }
        }
        return false;
    }

    private static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    synchronized String describe() {
        if (samples == 0) {
            return "not sampled";
        }
        return "other people's containers were running in " + Math.round(100.0 * busySamples / samples) + "% of "
                + samples + " one-second samples (at most " + maxForeign + " at once); the 1-minute load average "
                + "peaked at " + Series.num(maxLoad, 2) + " on 2 cores";
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
