package dev.proxystage.internal.report;

import java.nio.file.Path;

/** Paths as the report shows them: relative to the working directory when inside it, as the CLI prints them. */
final class Shown {

    private Shown() {
    }

    static String path(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path here = Path.of("").toAbsolutePath().normalize();
        return absolute.startsWith(here) && !absolute.equals(here) ? here.relativize(absolute).toString() : file.toString();
    }
}
