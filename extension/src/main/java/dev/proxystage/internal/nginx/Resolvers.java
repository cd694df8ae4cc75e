package dev.proxystage.internal.nginx;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every {@code resolver} directive, and which one is in effect for a directive nested in a chain of blocks. */
final class Resolvers {

    final List<Resolver> all = new ArrayList<>();

    private final Map<Directive, Resolver> resolverOf = new IdentityHashMap<>();
    private final Map<Directive, Optional<Resolver>> resolverIn = new IdentityHashMap<>();

    void collect(List<Directive> root) {
        Directive.walk(root, d -> {
            if (d.name().equals("resolver") && !d.hasBlock()) {
                List<String> addresses = new ArrayList<>();
                for (String arg : d.args()) {
                    if (arg.indexOf('=') < 0) {
                        addresses.add(arg);
                    }
                }
                Resolver r = new Resolver(addresses, d.file(), d.line());
                all.add(r);
                resolverOf.put(d, r);
            }
        });
    }

    Optional<Resolver> inScope(List<Directive> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            // Cached per block: http holds every server, and every pass would scan it again.
            Optional<Resolver> own = resolverIn.computeIfAbsent(chain.get(i), block -> {
                List<Directive> found = block.children("resolver");
                return found.isEmpty() ? Optional.empty()
                        : Optional.ofNullable(resolverOf.get(found.get(found.size() - 1)));
            });
            if (own.isPresent()) {
                return own;
            }
        }
        return Optional.empty();
    }
}
