package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * check's verdict against nginx's own, tree by tree: every small tree under {@code nginx/verdicts/cases} (one per
 * [emerg] class nginx has, and the valid near-twin of each), with nginx's verdict recorded per version by
 * {@code scripts/nginx-directives/verdicts.sh} ({@code nginx-<version>.tsv}). check must fail exactly where nginx
 * fails, and one of its errors must carry nginx's message at nginx's file:line.
 */
class NginxVerdictTest {

    /** The corpus; -Dproxystage.verdicts=DIR judges another one laid out alike (cases/, nginx-VERSION.tsv). */
    private static final Path ROOT = System.getProperty("proxystage.verdicts") != null
            ? Path.of(System.getProperty("proxystage.verdicts")) : Corpus.dir("verdicts");
    /** "message in /etc/nginx/conf.d/file.conf:12": nginx's message and where it points. */
    private static final Pattern WHERE = Pattern.compile("^(.*) in (/etc/nginx/\\S+):(\\d+)$");

    record Verdict(String version, String tree, boolean fails, String message) {
        @Override
        public String toString() {
            return tree + " on nginx " + version;
        }
    }

    static Stream<Arguments> verdicts() throws IOException {
        List<Arguments> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("nginx-.*\\.tsv")).sorted().toList()) {
                String version = file.getFileName().toString().replaceAll("^nginx-|\\.tsv$", "");
                for (String line : Files.readAllLines(file)) {
                    String[] cells = line.split("\t", 3);
                    if (cells.length >= 2) {
                        all.add(Arguments.of(new Verdict(version, cells[0], cells[1].equals("fail"),
                                cells.length > 2 ? cells[2] : "")));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void checkFailsExactlyWhereNginxFailsWithNginxsMessageAndPlace(Verdict nginx) {
        Path tree = ROOT.resolve("cases").resolve(nginx.tree());
        List<String> errors = errors(tree, nginx.version());
        if (!nginx.fails()) {
            assertThat(errors).as("nginx %s accepts %s", nginx.version(), nginx.tree()).isEmpty();
            return;
        }
        assertThat(errors).as("nginx %s refuses %s: %s", nginx.version(), nginx.tree(), nginx.message()).isNotEmpty();
        Matcher m = WHERE.matcher(nginx.message());
        String message = m.matches() ? m.group(1) : nginx.message();
        Optional<String> place = Optional.empty();
        if (m.matches() && m.group(2).startsWith("/etc/nginx/conf.d/")) {
            place = Optional.of("conf.d/" + m.group(2).substring("/etc/nginx/conf.d/".length()) + ":" + m.group(3));
        } else if (m.matches() && m.group(2).equals("/etc/nginx/nginx.conf")) {
            // The main config: a directive of the tree's own nginx.conf, or the end of an http block, where nginx
            // reports what it finds merging it into servers and locations. check points at the directive or block
            // that fails and names nginx's place ("FILE:LINE, where ..."), the image's main config when the tree
            // has none.
            String at = Files.exists(tree.resolve("nginx.conf")) ? "nginx.conf:" + m.group(3) : "/etc/nginx/nginx.conf";
            assertThat(errors).as("nginx %s: %s", nginx.version(), nginx.message())
                    .anySatisfy(e -> assertThat(e).contains(message)
                            .satisfiesAnyOf(x -> assertThat(x).startsWith(at + ": "), x -> assertThat(x).contains(at + ",")));
            return;
        }
        String expected = place.map(p -> p + ": ").orElse("") + message;
        assertThat(errors).as("nginx %s: %s", nginx.version(), nginx.message())
                .anySatisfy(e -> assertThat(e).contains(expected));
    }

    /** check's errors for a tree, as "conf.d/file.conf:line: message", parse errors included. */
    static List<String> errors(Path tree, String version) {
        ParseRequest request = ParseRequest.of(tree.resolve("conf.d"));
        if (Files.exists(tree.resolve("nginx.conf"))) {
            request = request.withMainConf(tree.resolve("nginx.conf"));
        }
        try {
            NginxConfig config = NginxConfig.parse(request);
            return NginxRules.check(config, NginxRules.Options.version(version)).stream()
                    .filter(Problem::isError)
                    .map(p -> tree.relativize(p.file()).toString().replace('\\', '/') + ":" + p.line() + ": "
                            + p.message())
                    .toList();
        } catch (NginxConfigException e) {
            return List.of(tree.relativize(e.file()).toString().replace('\\', '/') + ":" + e.line() + ": " + e.detail());
        }
    }
}
