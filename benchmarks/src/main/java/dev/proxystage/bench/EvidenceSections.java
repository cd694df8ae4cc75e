package dev.proxystage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The sections of the generated tables that a part of the harness also refreshes on its own ({@code bench.sh
 * coverage}, {@code bench.sh report}): each between markers of its own inside the generated section, so a part's run
 * replaces only its section and the whole harness's run writes them all.
 */
final class EvidenceSections {

    private EvidenceSections() {
    }

    /** The heading of the ratios table, which the parts' sections come before. */
    static final String RATIOS = "### Ratios and goals";

    static String begin(String name) {
        return "<!-- bench:section " + name + " -->";
    }

    static String end(String name) {
        return "<!-- bench:section-end " + name + " -->";
    }

    /** {@code markdown} between the section's markers. */
    static String wrap(String name, String markdown) {
        return begin(name) + "\n" + markdown.strip() + "\n" + end(name) + "\n";
    }

    /** A part measured with a count ({@code --requests}, {@code --rounds}): its section of the tables. */
    interface Part {
        String section(Path root, int count) throws Exception;
    }

    /**
     * A part's main: {@code --root DIR}, {@code countFlag N} (default {@code count}), {@code --no-write}; prints its
     * section and, unless told not to, replaces it in docs/benchmarks.md.
     */
    static void runAlone(String[] args, String name, String countFlag, int count, Part part) throws Exception {
        Path root = Path.of(".").toAbsolutePath().normalize();
        boolean write = true;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--root")) {
                root = Path.of(args[++i]).toAbsolutePath().normalize();
            } else if (args[i].equals(countFlag)) {
                count = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--no-write")) {
                write = false;
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i] + " (known: --root DIR, " + countFlag
                        + " N, --no-write)");
            }
        }
        String section = part.section(root, count);
        System.out.println(section);
        if (write) {
            Path doc = root.resolve("docs/benchmarks.md");
            write(doc, name, section);
            System.err.println("[bench] wrote the " + name + " section of " + doc);
        }
    }

    /**
     * Replaces section {@code name} of the generated tables in {@code doc}; a section not there yet goes before the
     * ratios and goals (else last in the generated section).
     */
    static void write(Path doc, String name, String markdown) throws IOException {
        String old = Files.readString(doc, StandardCharsets.UTF_8);
        String wrapped = wrap(name, markdown);
        int b = old.indexOf(begin(name));
        int e = old.indexOf(end(name));
        String text;
        if (b >= 0 && e > b) {
            text = old.substring(0, b) + wrapped + old.substring(old.indexOf('\n', e) + 1);
        } else {
            int last = old.indexOf(BenchMain.END);
            if (last < 0) {
                throw new IOException(doc + " has no generated section (" + BenchMain.END + ")");
            }
            int ratios = old.lastIndexOf(RATIOS, last);
            int at = ratios >= 0 ? ratios : last;
            text = old.substring(0, at) + wrapped + "\n" + old.substring(at);
        }
        Files.writeString(doc, text, StandardCharsets.UTF_8);
    }

    /** When and under what load a part ran: the 1-minute load average before and after, on how many cores. */
    static String measured(ZonedDateTime began, String loadBefore) {
        return "Measured " + began.withZoneSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + " UTC; 1-minute load average " + loadBefore + " before, " + load()
                + " after, on " + Runtime.getRuntime().availableProcessors() + " cores.";
    }

    /** The 1-minute load average now. */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
