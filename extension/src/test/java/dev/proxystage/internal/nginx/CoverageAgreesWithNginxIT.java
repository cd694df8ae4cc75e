package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.coverage.ConfCoverage;
import dev.proxystage.internal.docker.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Coverage's choice of location is nginx's: every location of the resolver corpus gets an {@code add_header} naming
 * its own file:line (on the line of its "{", so no line moves), nginx answers every corpus URI, and the location
 * nginx's answer names must be the last one coverage counted for that request.
 */
class CoverageAgreesWithNginxIT {

    private static final String HEADER = "X-Coverage-Location";
    private static final String NGINX_CONF = """
            worker_processes 1;
            error_log stderr notice;
            pid /tmp/nginx.pid;
            events { worker_connections 64; }
            http {
                access_log off;
                include /etc/nginx/resolver/*.conf;
            }
            """;
    private static final int[] PORTS = {8080, 8081, 8082, 8083};

    @TempDir
    Path work;

    @Test
    void coverageCountsTheLocationNginxChoseForEveryCorpusUri() throws IOException {
        NginxConfig config = ResolverCorpus.config();
        Path marked = mark(config, ResolverCorpus.dir().resolve("conf.d"), work.resolve("conf.d"));
        ConfCoverage coverage = new ConfCoverage(config);
        List<String> disagreements = new ArrayList<>();
        int compared = 0;
        int undecided = 0;
        int named = 0;
        List<ResolverCorpus.Case> cases = ResolverCorpus.cases();
        try (GenericContainer<?> nginx = new GenericContainer<>(DockerImageName.parse("proxystage/nginx:offline"))
                .withLabels(Map.of(Labels.RUN, UUID.randomUUID().toString().substring(0, 8), Labels.STAGE, "coverage",
                        Labels.ROLE, "coverage-check", Labels.PID, Long.toString(ProcessHandle.current().pid()),
                        Labels.HOST, Labels.hostName()))
                .withCopyToContainer(Transferable.of(NGINX_CONF), "/etc/nginx/nginx.conf")
                .withCopyToContainer(MountableFile.forHostPath(marked), "/etc/nginx/resolver")
                .withCommand("nginx", "-g", "daemon off;")
                .withExposedPorts(8080, 8081, 8082, 8083)
                .waitingFor(Wait.forListeningPorts(PORTS))) {
            nginx.start();
            for (ResolverCorpus.Case c : cases) {
                Optional<String> chosen = chosenBy(nginx.getHost(), nginx.getMappedPort(c.port()), c.host(), c.target());
                Optional<LocationResolver.Resolution> counted = coverage.count(new ConfCoverage.Sent("GET",
                        "http://" + c.host() + ":" + c.port() + c.target(), Map.of()), Optional.empty());
                if (chosen == null) {
                    continue; // 444: nginx closed the connection, no header to compare
                }
                if (counted.isPresent() && counted.get().answer().kind() == LocationResolver.Kind.UNKNOWN) {
                    undecided++;
                }
                Optional<String> predicted = counted.flatMap(r -> r.locations().isEmpty() ? Optional.empty()
                        : Optional.of(r.locations().get(r.locations().size() - 1))).map(CoverageAgreesWithNginxIT::id);
                compared++;
                named += chosen.isPresent() ? 1 : 0;
                if (!predicted.equals(chosen)) {
                    disagreements.add(c + ": nginx chose " + chosen.orElse("no location") + ", coverage counted "
                            + predicted.orElse("no location"));
                }
            }
        }
        System.out.println("CoverageAgreesWithNginxIT: " + cases.size() + " URIs, " + compared + " with an answer to"
                + " compare (" + named + " answered by a location), coverage agreed on " + (compared - disagreements.size())
                + " (" + undecided
                + " not decided to the end by the configuration alone)");
        assertThat(compared).isGreaterThan(150);
        assertThat(named).as("answers that name their location: the marking works").isGreaterThan(150);
        assertThat(disagreements).isEmpty();
    }

    private static String id(Location l) {
        return l.file().getFileName() + ":" + l.line();
    }

    /** A copy of {@code confD} where every location (and every {@code if} inside one) adds a header with its id. */
    private static Path mark(NginxConfig config, Path confD, Path target) throws IOException {
        Map<Path, Map<Integer, List<String>>> inserts = new HashMap<>();
        for (ServerBlock s : config.servers()) {
            List<Location> open = new ArrayList<>(s.locations());
            while (!open.isEmpty()) {
                Location l = open.remove(0);
                String header = " add_header " + HEADER + " \"" + id(l) + "\" always;";
                inserts.computeIfAbsent(l.file(), f -> new HashMap<>()).computeIfAbsent(l.line(), n -> new ArrayList<>())
                        .add("location\u0000" + header);
                ifs(l.directive()).forEach(d -> inserts.computeIfAbsent(d.file(), f -> new HashMap<>())
                        .computeIfAbsent(d.line(), n -> new ArrayList<>()).add("if\u0000" + header));
                open.addAll(l.locations());
            }
        }
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(confD)) {
            for (Path file : files.toList()) {
                List<String> lines = Files.readAllLines(file);
                Map<Integer, List<String>> here = inserts.getOrDefault(file, Map.of());
                for (Map.Entry<Integer, List<String>> e : here.entrySet()) {
                    lines.set(e.getKey() - 1, insert(lines.get(e.getKey() - 1), e.getValue(), file, e.getKey()));
                }
                Files.write(target.resolve(file.getFileName()), lines);
            }
        }
        return target;
    }

    /** The {@code if} blocks of a location, outside its nested locations. */
    private static List<Directive> ifs(Directive block) {
        List<Directive> found = new ArrayList<>();
        for (Directive d : block.block()) {
            if (d.name().equals("if")) {
                found.add(d);
                found.addAll(ifs(d));
            }
        }
        return found;
    }

    /** After the "{" of each block on this line that starts with its keyword, in order. */
    private static String insert(String line, List<String> marks, Path file, int number) {
        StringBuilder out = new StringBuilder(line);
        int from = 0;
        // Blocks on one line appear in the order the parser met them: location and if blocks alike.
        List<String> pending = new ArrayList<>(marks);
        while (!pending.isEmpty()) {
            int nextLocation = keyword(out, "location", from);
            int nextIf = keyword(out, "if", from);
            int at;
            String kind;
            if (nextLocation >= 0 && (nextIf < 0 || nextLocation < nextIf)) {
                at = nextLocation;
                kind = "location";
            } else if (nextIf >= 0) {
                at = nextIf;
                kind = "if";
            } else {
                throw new IllegalStateException(file + ":" + number + ": no block for " + pending);
            }
            int brace = brace(out, at);
            String match = pending.stream().filter(m -> m.startsWith(kind + "\u0000")).findFirst().orElse(null);
            if (match != null) {
                pending.remove(match);
                String text = match.substring(match.indexOf('\u0000') + 1);
                out.insert(brace + 1, text);
                from = brace + 1 + text.length();
            } else {
                from = brace + 1;
            }
        }
        return out.toString();
    }

    private static int keyword(CharSequence s, String word, int from) {
        for (int i = s.toString().indexOf(word, from); i >= 0; i = s.toString().indexOf(word, i + 1)) {
            boolean before = i == 0 || " \t{;".indexOf(s.charAt(i - 1)) >= 0;
            int end = i + word.length();
            boolean after = end < s.length() && (s.charAt(end) == ' ' || s.charAt(end) == '\t' || s.charAt(end) == '(');
            if (before && after) {
                return i;
            }
        }
        return -1;
    }

    /** The first "{" after {@code from} outside quotes. */
    private static int brace(CharSequence s, int from) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{') {
                return i;
            }
        }
        throw new IllegalStateException("no { after column " + from + " in: " + s);
    }

    /**
     * The location nginx's answer names (the last {@value #HEADER}: a pass to a stand-in backend brings the
     * backend's own first); empty for an answer without one; null when nginx closed the connection (444).
     */
    private static Optional<String> chosenBy(String address, int port, String host, String target) throws IOException {
        try (Socket socket = new Socket(address, port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = line(in);
            if (status == null || status.isEmpty()) {
                return null;
            }
            String found = null;
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon > 0 && header.substring(0, colon).equalsIgnoreCase(HEADER)) {
                    found = header.substring(colon + 1).strip();
                }
            }
            return Optional.ofNullable(found);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        for (; b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
