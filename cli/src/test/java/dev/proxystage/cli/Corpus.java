package dev.proxystage.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The conf.d corpus in {@code src/test/resources/corpus}: real projects' nginx stacks reproduced in our own files
 * ({@code stacks/}), one small tree per class of nginx {@code [emerg]} ({@code emerg/}) and valid near-twins that
 * nginx accepts ({@code valid/}). Each tree has a {@code corpus.properties} saying how it is laid out in the nginx
 * container, and {@code verdicts.tsv} holds real nginx's verdict on each (written by
 * {@code scripts/corpus-verdicts.sh}).
 */
final class Corpus {

    static final Path ROOT = Path.of("src/test/resources/corpus").toAbsolutePath();
    static final Path VERDICTS = ROOT.resolve("verdicts.tsv");
    static final List<String> KINDS = List.of("stacks", "emerg", "valid");
    static final Set<String> KEYS = Set.of("project", "modelledAfter", "compose", "confDir", "mainConfig", "files",
            "place", "backends", "servers", "routes", "expect", "expectOkFrom");
    static final Set<String> PROTOCOLS = Set.of("http", "https", "fastcgi", "uwsgi", "grpc");

    private Corpus() {
    }

    /** A backend nginx reaches: its network alias, the port and what nginx speaks to it. */
    record Backend(String alias, int port, String protocol) {
    }

    /** A server nginx routes to a backend: the host a request names, the port, and whether it is TLS. */
    record Server(String host, int port, boolean tls) {
    }

    /** A plain GET of {@code path} (on any of the stack's servers) that nginx sends to the backend {@code alias}. */
    record Route(String path, String alias) {
    }

    /** Real nginx's verdict on a tree; {@code where} is the tree-relative {@code file:line}, or {@code -}. */
    record Verdict(String tree, String nginx, boolean ok, String where, String message) {
    }

    /** One tree: its id ({@code stacks/mailcow}), its directory and its properties, read as written. */
    record Tree(String id, Path dir, Properties properties) {

        String kind() {
            return id.substring(0, id.indexOf('/'));
        }

        Optional<String> get(String key) {
            String value = properties.getProperty(key);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
        }

        Optional<Path> confDir() {
            return get("confDir").map(dir::resolve);
        }

        Optional<Path> mainConfig() {
            return get("mainConfig").map(dir::resolve);
        }

        /** {@code nginx.files}: container directory (or file) to the tree's host directory (or file). */
        Map<String, Path> files() {
            Map<String, Path> files = new LinkedHashMap<>();
            for (String pair : list("files")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(id + ": files entry '" + pair + "' is not <container dir>=<tree dir>");
                }
                files.put(pair.substring(0, eq), dir.resolve(pair.substring(eq + 1)));
            }
            return files;
        }

        List<String> place() {
            return list("place");
        }

        List<Backend> backends() {
            List<Backend> backends = new ArrayList<>();
            for (String entry : list("backends")) {
                String[] parts = entry.split(":");
                if (parts.length != 3) {
                    throw new IllegalArgumentException(id + ": backend '" + entry + "' is not alias:port:protocol");
                }
                backends.add(new Backend(parts[0], Integer.parseInt(parts[1]), parts[2]));
            }
            return backends;
        }

        List<Server> servers() {
            List<Server> servers = new ArrayList<>();
            for (String entry : list("servers")) {
                String[] parts = entry.split(":");
                if (parts.length != 3 || !(parts[2].equals("tls") || parts[2].equals("plain"))) {
                    throw new IllegalArgumentException(id + ": server '" + entry + "' is not host:port:tls|plain");
                }
                servers.add(new Server(parts[0], Integer.parseInt(parts[1]), parts[2].equals("tls")));
            }
            return servers;
        }

        /** {@code routes}: {@code <path>:<alias>,...}, the requests init's routes.yml must send to that backend. */
        List<Route> routes() {
            List<Route> routes = new ArrayList<>();
            for (String entry : list("routes")) {
                int colon = entry.lastIndexOf(':');
                if (colon <= 0 || !entry.startsWith("/")) {
                    throw new IllegalArgumentException(id + ": route '" + entry + "' is not <path>:<alias>");
                }
                routes.add(new Route(entry.substring(0, colon), entry.substring(colon + 1)));
            }
            return routes;
        }

        private List<String> list(String key) {
            return get(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                    .orElse(List.of());
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Every tree, in id order: each directory two levels down that holds a corpus.properties. */
    static List<Tree> trees() {
        List<Tree> trees = new ArrayList<>();
        for (String kind : KINDS) {
            for (Path dir : children(ROOT.resolve(kind))) {
                Path file = dir.resolve("corpus.properties");
                if (Files.isRegularFile(file)) {
                    trees.add(new Tree(kind + "/" + dir.getFileName(), dir, load(file)));
                }
            }
        }
        return trees;
    }

    /** Every directory directly under the three kinds, whether or not it has its properties. */
    static List<Path> treeDirectories() {
        return KINDS.stream().flatMap(kind -> children(ROOT.resolve(kind)).stream()).toList();
    }

    static Map<String, Verdict> verdicts() {
        Map<String, Verdict> verdicts = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(VERDICTS, StandardCharsets.UTF_8)) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5 || !(f[2].equals("ok") || f[2].equals("emerg"))) {
                    throw new IllegalStateException("verdicts.tsv: malformed row: " + line);
                }
                if (verdicts.put(f[0], new Verdict(f[0], f[1], f[2].equals("ok"), f[3], f[4])) != null) {
                    throw new IllegalStateException("verdicts.tsv: tree " + f[0] + " twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return verdicts;
    }

    /** Compares dotted versions numerically: {@code 1.26.3} is at least {@code 1.25.1}. */
    static boolean atLeast(String version, String floor) {
        int[] a = Arrays.stream(version.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] b = Arrays.stream(floor.split("\\.")).mapToInt(Integer::parseInt).toArray();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return x > y;
            }
        }
        return true;
    }

    private static Properties load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
