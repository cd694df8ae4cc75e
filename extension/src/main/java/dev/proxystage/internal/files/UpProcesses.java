package dev.proxystage.internal.files;

import java.util.Arrays;
import java.util.List;

/**
 * The JVMs of this machine that run the command line's {@code up}, told from test JVMs by their command line. An
 * {@code up} marks its CA directory and keeps its stage running; {@code down} and a second {@code up} ask whether it
 * still runs.
 */
public final class UpProcesses {

    /** The command line's main class, as a JVM's arguments name it. */
    public static final String MAIN_CLASS = "dev.proxystage.cli.Main";

    private UpProcesses() {
    }

    /**
     * Whether a JVM's arguments (without the executable) run the command line's {@code up}: {@code ...
     * dev.proxystage.cli.Main up ...} or {@code ... -jar <jar> up ...}; the first word after the main class or jar that
     * is not an option is the command.
     */
    public static boolean isUp(List<String> args) {
        int command = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(MAIN_CLASS)) {
                command = i + 1;
                break;
            }
            if (args.get(i).equals("-jar")) {
                command = i + 2;
                break;
            }
        }
        if (command < 0) {
            return false;
        }
        for (int i = command; i < args.size(); i++) {
            if (!args.get(i).startsWith("-")) {
                return args.get(i).equals("up");
            }
        }
        return false;
    }

    /** Whether process {@code pid} is alive and runs {@code up}; one whose command line the OS does not show counts. */
    public static boolean stillUp(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().arguments().map(args -> isUp(Arrays.asList(args))).orElse(true))
                .orElse(false);
    }
}
