package dev.proxystage.cli;

/**
 * Quiet logging for the command line. The CLI jar binds slf4j-simple; what the library and Testcontainers log (image
 * checks, timings, the Ryuk notice, and a failed container start with its stack trace, under a logger named after the
 * image) is chatter at a terminal: the commands print every failure themselves, in one line. So only ProxyStage's own
 * warnings show, on stderr. {@code --verbose} shows everything from INFO up. Explicit
 * {@code -Dorg.slf4j.simpleLogger.*} settings win.
 */
final class Logging {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    static void configure(boolean verbose) {
        setDefault("defaultLogLevel", verbose ? "info" : "off");
        setDefault("log.dev.proxystage", verbose ? "info" : "warn");
        // The commands print the plan's warnings themselves, as file:line lines.
        setDefault("log.dev.proxystage.internal.plan.StagePlan", verbose ? "info" : "error");
        setDefault("showThreadName", "false");
        setDefault("showShortLogName", "true");
        setDefault("levelInBrackets", "true");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
