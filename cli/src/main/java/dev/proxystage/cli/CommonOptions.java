package dev.proxystage.cli;

import picocli.CommandLine.Option;

/** Options every command has. */
final class CommonOptions {

    static final String VERBOSE = "--verbose";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this usage.")
    boolean help;

    // Read by Main before parsing (logging must be set up before any library class loads); declared for usage.
    @Option(names = VERBOSE, description = "Also show what ProxyStage and Testcontainers log at INFO.")
    boolean verbose;
}
