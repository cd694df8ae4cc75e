package dev.proxystage.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs show only code that compiles and runs: every Java and YAML block of README.md and docs/*.md is preceded by
 * {@code <!-- snippet: PATH#NAME -->} and equals the region between {@code tag::NAME[]} and {@code end::NAME[]} in
 * that file of the repository (a file of example-tests, say), indentation aside. A block that differs from its source,
 * a source without its region, and a block without a marker all fail here.
 */
class DocsSnippetsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");
    private static final Pattern FENCE = Pattern.compile("```(java|yaml)");

    record Block(Path doc, int line, String language, String source, String region, String text) {
    }

    @Test
    void everyJavaAndYamlBlockIsCutFromItsSource() throws IOException {
        List<Block> blocks = new ArrayList<>();
        List<String> unmarked = new ArrayList<>();
        for (Path doc : docs()) {
            blocks(doc, blocks, unmarked);
        }
        assertThat(unmarked).as("Java and YAML blocks without a <!-- snippet: PATH#NAME --> line before them").isEmpty();
        assertThat(blocks).as("the docs' snippets").isNotEmpty();
        List<String> differing = new ArrayList<>();
        for (Block block : blocks) {
            String expected = region(ROOT.resolve(block.source()), block.region());
            if (!expected.equals(block.text())) {
                differing.add(ROOT.relativize(block.doc()) + ":" + block.line() + " differs from " + block.source() + "#"
                        + block.region() + ":\n--- docs\n" + block.text() + "\n--- source\n" + expected);
            }
        }
        assertThat(differing).as("snippets that differ from their source").isEmpty();
    }

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    /** Every link between the docs reaches a file that exists and, with a #fragment, one of its headings. */
    @Test
    void everyLinkBetweenTheDocsResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : docs()) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            Matcher link = LINK.matcher(text);
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
                if (!Files.exists(file)) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " (no such file)");
                } else if (hash >= 0 && file.toString().endsWith(".md")
                        && !anchors(Files.readString(file, StandardCharsets.UTF_8)).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as '-'. */
    static List<String> anchors(String markdown) {
        List<String> anchors = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.lines().toList()) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced && line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
                anchors.add(title.replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    @Test
    void aChangedSourceIsCaught() {
        // The check itself can fail: a region's text against a block that has one word changed.
        String source = "a\n// tag::x[]\n    int y = 1;\n// end::x[]\n";
        assertThat(region(source, "x")).isEqualTo("int y = 1;");
        assertThat(region(source, "x")).isNotEqualTo("int y = 2;");
        assertThat(anchors("# Page\n## The two commands\n```\n# not a heading\n```\n### Check a pipeline (static)\n"))
                .containsExactly("page", "the-two-commands", "check-a-pipeline-static");
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static void blocks(Path doc, List<Block> blocks, List<String> unmarked) throws IOException {
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = FENCE.matcher(lines.get(i).strip());
            if (!fence.matches()) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                end++;
            }
            String text = String.join("\n", lines.subList(i + 1, end));
            Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1).strip()) : MARKER.matcher("");
            if (marker.matches()) {
                blocks.add(new Block(doc, i + 1, fence.group(1), marker.group(1), marker.group(2), dedent(text)));
            } else {
                unmarked.add(ROOT.relativize(doc) + ":" + (i + 1));
            }
            i = end;
        }
    }

    private static String region(Path file, String name) {
        try {
            return region(Files.readString(file, StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** The lines between the tag's start and end lines (comment style aside), without their common indentation. */
    static String region(String source, String name) {
        List<String> lines = source.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.contains("tag::" + name + "[]") && !line.contains("end::")) {
                start = i + 1;
            } else if (line.contains("end::" + name + "[]") && start >= 0) {
                return dedent(String.join("\n", lines.subList(start, i)));
            }
        }
        return "(no region " + name + ")";
    }

    private static String dedent(String text) {
        List<String> lines = text.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent));
        }
        return String.join("\n", out).strip();
    }
}
