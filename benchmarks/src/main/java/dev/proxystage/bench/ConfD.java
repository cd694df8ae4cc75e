package dev.proxystage.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the hand-written cases (a, b) read from conf.d with a couple of regular expressions, as a user's own script
 * would: the ports it listens on and the certificate/key paths it names. ProxyStage's case (c) uses its real parser.
 */
record ConfD(Set<Integer> ports, List<String[]> certificatePairs) {

    private static final Pattern LISTEN = Pattern.compile("(?m)^\\s*listen\\s+([^;\\s]+)");
    private static final Pattern CERT = Pattern.compile("(?m)^\\s*ssl_certificate\\s+([^;\\s]+)\\s*;");
    private static final Pattern KEY = Pattern.compile("(?m)^\\s*ssl_certificate_key\\s+([^;\\s]+)\\s*;");

    static ConfD read(Path dir) {
        Set<Integer> ports = new TreeSet<>();
        Set<List<String>> pairs = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf")).sorted().toList()) {
                String text = Files.readString(file);
                Matcher m = LISTEN.matcher(text);
                while (m.find()) {
                    String arg = m.group(1);
                    ports.add(Integer.parseInt(arg.substring(arg.lastIndexOf(':') + 1)));
                }
                List<String> certs = all(CERT, text);
                List<String> keys = all(KEY, text);
                for (int i = 0; i < Math.min(certs.size(), keys.size()); i++) {
                    pairs.add(List.of(certs.get(i), keys.get(i)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConfD(ports, pairs.stream().map(p -> p.toArray(String[]::new)).toList());
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
