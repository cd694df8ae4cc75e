package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules nginx itself applies to a whole configuration, beyond syntax: where each directive may stand, one
 * default server per address:port, server names claimed twice, headers set twice, variables left open. Each finding
 * points at the directive's own file and line, never at the include that carries it.
 */
public final class NginxRules {

    /** Arguments that are patterns or names, where "${" is no variable. */
    private static final Set<String> NO_VARIABLES = Set.of("location", "server_name", "if", "rewrite", "log_format");

    private NginxRules() {
    }

    /** Errors (nginx would not start) first, then warnings, each in configuration order. */
    public static List<Problem> check(NginxConfig config) {
        List<Problem> all = new ArrayList<>();
        all.addAll(DirectiveContexts.check(config.directives()));
        all.addAll(DefaultServers.duplicateDefaults(config.servers()));
        unclosedVariables(config.directives(), all);
        all.addAll(DefaultServers.conflictingNames(config.servers()));
        all.addAll(HeaderRedefinitions.check(config.directives()));
        List<Problem> sorted = new ArrayList<>(all.stream().filter(Problem::isError).toList());
        sorted.addAll(all.stream().filter(p -> !p.isError()).toList());
        return sorted;
    }

    /** {@code ${name} without its "}"}: nginx stops with "the closing bracket in ... variable is missing". */
    private static void unclosedVariables(List<Directive> top, List<Problem> problems) {
        // An explicit stack, not recursion: nginx accepts any nesting depth.
        java.util.Deque<java.util.Iterator<Directive>> blocks = new java.util.ArrayDeque<>();
        blocks.push(top.iterator());
        while (!blocks.isEmpty()) {
            if (!blocks.peek().hasNext()) {
                blocks.pop();
                continue;
            }
            Directive d = blocks.peek().next();
            if (!NO_VARIABLES.contains(d.name())) {
                for (String arg : d.args()) {
                    String open = unclosed(arg);
                    if (open != null) {
                        problems.add(new Problem(Severity.ERROR, d.file(), d.line(), "the closing bracket in \""
                                + open + "\" variable is missing (in \"" + arg + "\" of the \"" + d.name()
                                + "\" directive)"));
                        break;
                    }
                }
            }
            if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                blocks.push(d.block().iterator());
            }
        }
    }

    /** The name after the first "${" that no "}" closes, or null. */
    private static String unclosed(String arg) {
        int from = 0;
        while (true) {
            int open = arg.indexOf("${", from);
            if (open < 0) {
                return null;
            }
            int end = open + 2;
            while (end < arg.length() && isNameChar(arg.charAt(end))) {
                end++;
            }
            if (end >= arg.length() || arg.charAt(end) != '}') {
                return arg.substring(open + 2, end);
            }
            from = end + 1;
        }
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }
}
