package dev.proxystage.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's CPU time over a window, split into this JVM's, the Docker daemon's and the rest (containerd and its
 * shims, runc, the containers' processes, the kernel's work for them). Linux only: read from {@code /proc}.
 * Processes that end inside the window are counted in the machine's total, so only long-lived ones are named.
 */
final class CpuMeter {

    /** A point to measure from. */
    record Mark(long machineTicks, long jvmNanos, long dockerdTicks) {
    }

    /** CPU milliseconds spent over a window. */
    record Split(double machineMs, double jvmMs, double dockerdMs) {

        double restMs() {
            return machineMs - jvmMs - dockerdMs;
        }

        /**
         * The shortest wall time the window's work could take on {@code cores} if this JVM cost nothing and the rest
         * kept every core busy: what no change in the JVM can get below.
         */
        double floorWithoutJvmMs(int cores) {
            return (machineMs - jvmMs) / cores;
        }
    }

    // USER_HZ: what /proc/stat counts in; 100 on every Linux the benchmark runs on, asked once anyway.
    private static final double MS_PER_TICK = 1000.0 / clockTicks();

    private CpuMeter() {
    }

    static Mark mark() {
        return new Mark(machineTicks(), jvmNanos(), dockerdTicks());
    }

    static Split since(Mark from) {
        Mark to = mark();
        return new Split((to.machineTicks() - from.machineTicks()) * MS_PER_TICK,
                (to.jvmNanos() - from.jvmNanos()) / 1e6,
                (to.dockerdTicks() - from.dockerdTicks()) * MS_PER_TICK);
    }

    /** Busy ticks of all cores: user, nice, system, irq, softirq and steal (guest time is inside user already). */
    private static long machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long sum = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                sum += Long.parseLong(f[i]);
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/stat: " + e.getMessage(), e);
        }
    }

    private static long jvmNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of every process named dockerd (a test host's engine too, when one runs). */
    private static long dockerdTicks() {
        long sum = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    if (!Files.readString(p.resolve("comm")).strip().equals("dockerd")) {
                        continue;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    // fields after "(comm) ": state is [0], so utime is [11] and stime [12]
                    String[] f = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException e) {
                    // the process ended while being read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return sum;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder(List.of("getconf", "CLK_TCK")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
