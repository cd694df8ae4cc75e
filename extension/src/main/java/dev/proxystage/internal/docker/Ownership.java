package dev.proxystage.internal.docker;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who owns a run, judged from the {@link Labels#HOST} and {@link Labels#PID} labels of its resources: the decision
 * that lets the {@link Sweeper} remove what crashed runs left and keeps it off live runs. Pure: the process table is
 * passed in, so the decision can be tested without processes or Docker. The one liveness rule: the sweeper, {@code up}
 * and {@code down} all judge by it.
 */
public record Ownership(State state, String host, long pid, String detail) {

    /** What became of the JVM that made a run. */
    public enum State {
        /** Its JVM still runs on this host: never swept unless asked for. */
        LIVE,
        /** On this host, and no process with its pid is alive. */
        GONE,
        /** On this host, and its pid now belongs to a process that is not a JVM: the pid was reused. */
        REUSED,
        /** Made on another host (a shared remote engine): whether it lives cannot be seen from here. */
        OTHER_HOST,
        /** Its labels do not say who owns it. */
        UNKNOWN
    }

    /** The names a JVM's executable has. */
    private static final Set<String> JVM_COMMANDS = Set.of("java", "java.exe", "javaw", "javaw.exe");

    /** A process as the table shows it: dead, or alive with its command when the OS lets us see it. */
    record Process(boolean alive, Optional<String> command) {

        static final Process DEAD = new Process(false, Optional.empty());

        static Process alive(Optional<String> command) {
            return new Process(true, command);
        }
    }

    /** Looks up a process by pid. */
    @FunctionalInterface
    interface ProcessTable {

        Process lookup(long pid);

        /** This machine's process table. */
        ProcessTable SYSTEM = pid -> ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(handle -> Process.alive(handle.info().command()))
                .orElse(Process.DEAD);
    }

    /** The owner of {@code labels}, judged against this machine's name and processes. */
    public static Ownership judgeHere(Map<String, String> labels) {
        return judge(labels, Sweeper.thisHostName(), ProcessTable.SYSTEM);
    }

    /** Its JVM still runs on this machine. */
    public boolean isLive() {
        return state == State.LIVE;
    }

    /** Only a run whose JVM is provably gone from this host is an orphan. */
    boolean isOrphan() {
        return state == State.GONE || state == State.REUSED;
    }

    /**
     * Judges the owner that {@code labels} name. A pid that is alive but whose command cannot be seen counts as a
     * live JVM: when in doubt, a run is left alone.
     */
    static Ownership judge(Map<String, String> labels, String thisHost, ProcessTable processes) {
        String host = labels.get(Labels.HOST);
        String pidLabel = labels.get(Labels.PID);
        long pid = parsePid(pidLabel);
        if (host == null || host.isBlank() || pid <= 0) {
            String missing = host == null || host.isBlank() ? "no host label" : "no valid pid label ('" + pidLabel + "')";
            return new Ownership(State.UNKNOWN, host, pid, missing);
        }
        if (!host.equals(thisHost)) {
            return new Ownership(State.OTHER_HOST, host, pid, "pid " + pid + " on host " + host);
        }
        Process process = processes.lookup(pid);
        if (!process.alive()) {
            return new Ownership(State.GONE, host, pid, "pid " + pid + " gone");
        }
        Optional<String> command = process.command();
        if (command.isPresent() && !isJvm(command.get())) {
            return new Ownership(State.REUSED, host, pid, "pid " + pid + " gone, reused by " + fileName(command.get()));
        }
        return new Ownership(State.LIVE, host, pid, "pid " + pid + " alive");
    }

    /**
     * One verdict for a run whose resources name several owners (they should not, but labels can be edited): the most
     * protective one wins, so a run is an orphan only when every owner it names is gone.
     */
    static Ownership combine(Collection<Ownership> owners) {
        return owners.stream()
                .max(Comparator.comparingInt(Ownership::protection))
                .orElseThrow(() -> new IllegalArgumentException("no owners to combine"));
    }

    private int protection() {
        return switch (state) {
            case LIVE -> 3;
            case OTHER_HOST, UNKNOWN -> 2;
            case REUSED -> 1;
            case GONE -> 0;
        };
    }

    static boolean isJvm(String command) {
        return JVM_COMMANDS.contains(fileName(command).toLowerCase(Locale.ROOT));
    }

    private static String fileName(String command) {
        // Both separators, whatever this OS uses: the command may be a Windows path.
        int slash = Math.max(command.lastIndexOf('/'), command.lastIndexOf('\\'));
        String name = command.substring(slash + 1);
        return name.isEmpty() ? command : name;
    }

    private static long parsePid(String label) {
        if (label == null) {
            return -1;
        }
        try {
            return Long.parseLong(label.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The owner's state as a report shows it, e.g. {@code pid 4242 gone}. */
    @Override
    public String toString() {
        return detail;
    }
}
