package dev.proxystage.cli;

import dev.proxystage.EngineUnavailableException;
import dev.proxystage.ProxyStageException;
import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;

/**
 * The command-line tool in {@code cli/target/proxystage-cli.jar}: {@code init} writes a pipeline from an existing
 * conf.d, {@code check} validates a pipeline without
 * Docker, {@code up} keeps one stage running for local reproduction, {@code fault} and {@code heal} break and heal
 * its backends, {@code down} removes what crashed runs left.
 *
 * <p>Exit codes: 0 success, 1 a problem with the input or the environment (printed, one line each, never a stack
 * trace), 2 a usage error.
 */
public final class Main {

    /** Success. */
    public static final int OK = 0;
    /** Problems in the input, or the environment failed (no Docker engine, a stage that did not start). */
    public static final int PROBLEMS = 1;
    /** The command line itself is wrong: an unknown command or option, a missing value. */
    public static final int USAGE = 2;

    static final String NAME = "java -jar proxystage-cli.jar";

    private static final List<String> HELP = List.of("help", "--help", "-h");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command and returns its exit code; {@code up} returns only if its stage stops by itself (the usual
     * end of {@code up} is a signal, which ends the JVM after its shutdown hook has removed the stage).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        // Before any library class creates its logger: SLF4J reads these once.
        Logging.configure(Arrays.asList(args).contains(CommonOptions.VERBOSE));
        Io io = new Io(out, err);
        CommandLine cli = commandLine(io);
        try {
            if (args.length == 0) {
                err.println("missing command");
                printFullUsage(cli, err);
                return USAGE;
            }
            if (args.length == 1 && HELP.contains(args[0])) {
                printFullUsage(cli, out);
                return OK;
            }
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(Io io) {
        CommandLine cli = new CommandLine(new Root(io));
        cli.addSubcommand("init", new InitCommand(io));
        cli.addSubcommand("check", new CheckCommand(io));
        cli.addSubcommand("up", new UpCommand(io));
        cli.addSubcommand("down", new DownCommand(io));
        cli.addSubcommand("routes", new RoutesCommand(io));
        cli.addSubcommand("fault", new FaultCommand(io));
        cli.addSubcommand("heal", new HealCommand(io));
        cli.addSubcommand("help", new CommandLine.HelpCommand());
        // Arguments are taken literally: "@file" would read any file into the arguments, and echo it in an error.
        // Set after the subcommands are added, so it holds for all of them.
        cli.setExpandAtFiles(false);
        cli.setOut(new PrintWriter(io.out(), true));
        cli.setErr(new PrintWriter(io.err(), true));
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(Ansi.OFF));
        cli.setParameterExceptionHandler((e, arguments) -> {
            // The problem, picocli's suggestions ("Possible solutions: --stage"), then the command's usage.
            PrintWriter err = e.getCommandLine().getErr();
            err.println(e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println();
            e.getCommandLine().usage(err, Ansi.OFF);
            err.flush();
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            io.err().println(describe(e));
            return PROBLEMS;
        });
        return cli;
    }

    /** The usage of the tool and of every command, as {@code --help} prints it. */
    static void printFullUsage(CommandLine cli, PrintStream stream) {
        PrintWriter writer = new PrintWriter(stream, true);
        cli.usage(writer, Ansi.OFF);
        for (String name : List.of("init", "check", "up", "down", "routes", "fault", "heal")) {
            writer.println();
            cli.getSubcommands().get(name).usage(writer, Ansi.OFF);
        }
        writer.flush();
    }

    /** One line for a failure: the user's problem as ProxyStage words it, or what went wrong, never a stack trace. */
    static String describe(Throwable e) {
        if (e instanceof EngineUnavailableException) {
            return "no Docker engine answers (checked DOCKER_HOST, ~/.testcontainers.properties and "
                    + "/var/run/docker.sock); start one and run the command again";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProxyStageException known) {
                return known.getMessage();
            }
        }
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        return "failed: " + e.getClass().getSimpleName() + message;
    }

    /**
     * {@code text} as the CLI prints it: every absolute path under the working directory relative to it
     * ({@code conf.d/app.conf:3}), as the user wrote them on the command line; paths outside it stay absolute. The one
     * place check and init print paths through, whether a path comes from a finding's file or is quoted in a message.
     */
    static String shown(String text) {
        return shown(text, Path.of(""));
    }

    static String shown(String text, Path workingDirectory) {
        Path cwd = workingDirectory.toAbsolutePath().normalize();
        if (cwd.getNameCount() == 0) {
            return text; // at the root, "relative" would only hide that a path is absolute
        }
        String dir = cwd.toString();
        String prefix = dir + File.separator;
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        for (int at = text.indexOf(dir); at >= 0; at = text.indexOf(dir, from)) {
            out.append(text, from, at);
            int end = at + dir.length();
            boolean starts = at == 0 || " \t(\"'=,[".indexOf(text.charAt(at - 1)) >= 0;
            if (starts && text.startsWith(prefix, at)) {
                from = at + prefix.length();
            } else if (starts && (end == text.length() || ": \t),".indexOf(text.charAt(end)) >= 0)) {
                out.append('.');
                from = end;
            } else {
                out.append(dir);
                from = end;
            }
        }
        return out.append(text, from, text.length()).toString();
    }

    /** Where a command writes: results on {@code out}, diagnostics on {@code err}. */
    record Io(PrintStream out, PrintStream err) {
    }

    @Command(name = NAME, sortOptions = false,
            description = {
                    "ProxyStage's command-line tool: start a pipeline from a conf.d, check it, reproduce a stage locally, break and heal its backends, run a route table, clean up.",
                    "Exit codes: 0 ok, 1 problems (printed, one line each), 2 usage error."},
            footer = {"", "Run '" + NAME + " help <command>' for one command."})
    static final class Root implements Callable<Integer> {

        private final Io io;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show the usage of every command.")
        boolean help;

        Root(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() {
            io.err().println("missing command");
            printFullUsage(spec.commandLine(), io.err());
            return USAGE;
        }
    }
}
