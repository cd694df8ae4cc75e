package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Mutated versions of the fixture conf.d trees: parsing and plan-checking one either succeeds or fails with
 * ProxyStage's own error naming a file of the tree, within a bound (a hang guard, not a speed test).
 * QuickTheories generates the cases and shrinks a failing one before it reports it with its seed.
 */
class ConfDFuzzTest {

    private static final Duration GUARD = Duration.ofSeconds(10);
    private static final Path RESOURCES = Path.of("src/test/resources");
    private static final Path WORK = createWork();
    /** Each fixture conf.d with its *.conf files. */
    private static final List<List<Path>> SEEDS = seeds();

    private static Path createWork() {
        try {
            return Files.createTempDirectory("proxystage-confd-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<List<Path>> seeds() {
        List<List<Path>> seeds = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(RESOURCES)) {
            for (Path confD : dirs.filter(d -> d.getFileName().toString().equals("conf.d") && Files.isDirectory(d))
                    .sorted().toList()) {
                try (Stream<Path> files = Files.list(confD)) {
                    List<Path> confs = files.filter(f -> f.toString().endsWith(".conf") && Files.isRegularFile(f))
                            .sorted().toList();
                    if (!confs.isEmpty()) {
                        seeds.add(confs);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(seeds).hasSizeGreaterThan(10);
        return seeds;
    }

    @AfterAll
    static void removeWork() throws IOException {
        try (Stream<Path> paths = Files.walk(WORK)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    record Mutation(int kind, double at, double length, String text) {

        String applyTo(String content) {
            int n = content.length();
            int from = (int) (at * n);
            int to = Math.min(n, from + 1 + (int) (length * Math.min(n - from, 40)));
            return switch (kind) {
                case 0 -> content.substring(0, from) + content.substring(to);
                case 1 -> content.substring(0, from) + text + content.substring(from);
                case 2 -> content.substring(0, to) + content.substring(from, to).repeat(1 + text.length() * 20)
                        + content.substring(to);
                case 3 -> content.substring(0, from);
                default -> content.substring(0, from) + text + content.substring(to);
            };
        }
    }

    private static Gen<List<Mutation>> mutations() {
        Gen<String> tokens = arbitrary().pick("{", "}", ";", "\"", "'", "\\", "#", "\n", "$", "${", "location / {",
                "server {", "include /etc/nginx/conf.d/*.conf;", "include ../x;", "proxy_pass http://$x;",
                "listen 99999;", "listen [::1;", "server_name ~^(?<x>.+)$;", "ssl_certificate /x/$ssl_server_name.pem;",
                "location ~ ^/(a{2,3})$ {", "map $host $x {", "upstream u {", "\u0000", "\u00e9", "\uFFFD", "{{{{{{{{",
                "}}}}}", "if ($x) {", "return 301 https://$host$request_uri;", "resolver 127.0.0.11;");
        Gen<String> text = lists().of(tokens).ofSizeBetween(1, 4).map(list -> String.join(" ", list))
                .map(t -> new String(t.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        Gen<Mutation> one = integers().between(0, 4).zip(doubles().between(0, 1), doubles().between(0, 1), text,
                Mutation::new);
        return lists().of(one).ofSizeBetween(1, 6);
    }

    @Test
    void mutatedConfDFailsOnlyWithProxyStagesOwnErrorNamingAFile() {
        qt().withExamples(300).forAll(arbitrary().pick(SEEDS), mutations(), doubles().between(0, 1))
                .checkAssert((seed, edits, which) -> {
                    try {
                        checkMutated(seed, edits, which);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void checkMutated(List<Path> seed, List<Mutation> edits, double which) throws IOException {
        Path confD = Files.createTempDirectory(WORK, "conf.d");
        for (Path file : seed) {
            Files.copy(file, confD.resolve(file.getFileName().toString()));
        }
        Path target = confD.resolve(seed.get(Math.min(seed.size() - 1, (int) (which * seed.size())))
                .getFileName().toString());
        // Bytes as Latin-1 text: lossless for any file, including the one that is not UTF-8 on purpose.
        String content = Files.readString(target, StandardCharsets.ISO_8859_1);
        for (Mutation edit : edits) {
            content = edit.applyTo(content);
        }
        Files.writeString(target, content, StandardCharsets.ISO_8859_1);
        assertTimeoutPreemptively(GUARD, () -> {
            try {
                NginxConfig config = NginxConfig.parse(confD);
                StagePlanCheck.check(config, "prep", Set.of("wip", "prep"), Set.of("vaultwarden", "app"));
            } catch (ProxyStageException e) {
                assertThat(e.getMessage()).contains(confD.toString()).doesNotContain("\n");
            }
        });
    }
}
