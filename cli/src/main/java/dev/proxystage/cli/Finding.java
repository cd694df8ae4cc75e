package dev.proxystage.cli;

import dev.proxystage.internal.nginx.Problem;
import java.nio.file.Path;

/**
 * One line of {@code check}'s report. An error is {@code file:line: message}; a warning is
 * {@code file:line: warning: message}, so both keep the {@code file:line:} prefix editors and CI annotators read.
 *
 * @param stage the stage it was found in, or null for a finding of the pipeline as a whole; {@link CheckReport}
 *              prints a finding that holds in several stages once, naming them
 */
record Finding(boolean error, String line, String stage) {

    static final String WARNING = "warning: ";

    static Finding error(String line) {
        return new Finding(true, line, null);
    }

    static Finding warning(String where, String message) {
        return new Finding(false, where + ": " + WARNING + message, null);
    }

    static Finding of(Problem problem) {
        return problem.isError() ? error(problem.toString()) : warning(where(problem.file(), problem.line()), problem.message());
    }

    /** This finding, as found in {@code stageName}. */
    Finding in(String stageName) {
        return new Finding(error, line, stageName);
    }

    /** {@code file:line}, or {@code file} for line 0 (a finding about a whole file or directory), as Problem does. */
    static String where(Path file, int line) {
        return line > 0 ? file + ":" + line : file.toString();
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
        String prefix = dir + java.io.File.separator;
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
}
