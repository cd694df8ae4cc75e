package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.LocationResolver.Kind;
import dev.proxystage.internal.nginx.LocationResolver.Request;
import dev.proxystage.internal.nginx.LocationResolver.Resolution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The resolver's corpus (src/test/resources/nginx/resolver): server blocks whose locations each return a code of
 * their own, and the URIs with the code nginx answers. A pass reaches a stand-in backend in the same configuration,
 * which answers with its own code; a pass nothing listens for answers 502.
 */
final class ResolverCorpus {

    private ResolverCorpus() {
    }

    /** One line of cases.txt. */
    record Case(int line, String host, int port, String target, int expected) {
        @Override
        public String toString() {
            return "cases.txt:" + line + " " + host + ":" + port + " " + target;
        }
    }

    static Path dir() {
        return Corpus.dir("resolver");
    }

    static NginxConfig config() {
        return Corpus.parse("resolver");
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(dir().resolve("cases.txt"));
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\\s+");
                cases.add(new Case(i + 1, f[0], Integer.parseInt(f[1]), f[2], Integer.parseInt(f[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** What the resolver says the client gets, in the corpus's terms; empty when it cannot tell. */
    static OptionalInt predict(NginxConfig config, LocationResolver resolver, Case c) {
        ServerBlock server = VirtualServers.choose(config.servers(), c.port(), c.host()).orElseThrow();
        Request request = new Request("GET", "http", c.host().toLowerCase(Locale.ROOT), c.port(), c.target(),
                Map.of("host", c.host()), Set.of());
        Resolution r = resolver.resolve(server, request);
        if (r.status().isPresent()) {
            return r.status();
        }
        if (r.answer().kind() != Kind.PASS || r.answer().targets().size() != 1) {
            return OptionalInt.empty();
        }
        ProxyTarget target = r.answer().targets().get(0);
        if (!target.scheme().equals("http")) {
            return OptionalInt.of(502);
        }
        return VirtualServers.choose(config.servers(), target.port(), target.host())
                .map(backend -> resolver.resolve(backend, Request.get(target.host(), "/").on("http", target.port()))
                        .status())
                .orElse(OptionalInt.of(502));
    }

    /** The steps the resolver took, for a failure message. */
    static String explain(NginxConfig config, LocationResolver resolver, Case c) {
        ServerBlock server = VirtualServers.choose(config.servers(), c.port(), c.host()).orElseThrow();
        Resolution r = resolver.resolve(server, new Request("GET", "http", c.host().toLowerCase(Locale.ROOT),
                c.port(), c.target(), Map.of("host", c.host()), Set.of()));
        return r.answer().kind() + " " + r.answer().detail() + " <- " + String.join(" | ", r.steps());
    }
}
