package dev.proxystage.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;

/**
 * Cases (b) and (c) once in a brand-new JVM, as a test run meets them: JVM start, class loading, finding the Docker
 * engine, then the stage. Case (b) lets Testcontainers find the engine first, timed on its own; case (c) is
 * ProxyStage alone, which connects to the engine its environment names without Testcontainers' search (its
 * connection is part of the stage's time, {@code docker=0}). At the first 200 it prints
 * {@code READY main=<ms from JVM start to main> docker=<ms to find the engine>}, then tears down.
 *
 * <p>Arguments: {@code tc|proxystage ROOT ID BENCH_LABEL_VALUE}
 */
public final class FreshJvm {

    private FreshJvm() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long main = System.currentTimeMillis() - jvmStart;
        String mode = args[0];
        Path root = Path.of(args[1]);
        String id = args[2];
        long docker = 0;
        if (mode.equals("tc")) {
            long t = System.nanoTime();
            DockerClientFactory.instance().client(); // Testcontainers' search for the engine, timed on its own
            docker = (System.nanoTime() - t) / 1_000_000;
        }
        PsStage ps = new PsStage(root);
        RunningStage stage = switch (mode) {
            case "tc" -> new TcStage(root, args[3], false).up(id);
            case "proxystage" -> ps.up(id); // the run id is ProxyStage's own
            default -> throw new IllegalArgumentException(mode);
        };
        System.out.println("READY main=" + main + " docker=" + docker);
        System.out.flush();
        stage.down();
        System.exit(0);
    }
}
