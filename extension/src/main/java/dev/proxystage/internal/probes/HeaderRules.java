package dev.proxystage.internal.probes;

import dev.proxystage.internal.nginx.Directive;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * nginx's inheritance of array directives such as {@code proxy_set_header} and {@code add_header}: a level inherits
 * them from the level around it only if it defines none of its own. Includes are already spliced in by the parser,
 * so an included snippet's directives count for the level that includes it.
 */
final class HeaderRules {

    /** Headers whose loss makes a response less safe; what gixy's add_header_redefinition looks for, and a few more. */
    static final Set<String> SECURITY_HEADERS = Set.of("strict-transport-security", "content-security-policy",
            "content-security-policy-report-only", "x-frame-options", "x-content-type-options", "x-xss-protection",
            "referrer-policy", "permissions-policy", "feature-policy", "cross-origin-opener-policy",
            "cross-origin-embedder-policy", "cross-origin-resource-policy", "x-permitted-cross-domain-policies");

    /** The statuses for which {@code add_header} adds a header without {@code always}. */
    static final Set<Integer> ADD_HEADER_STATUSES = Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);

    private HeaderRules() {
    }

    /**
     * The {@code name} directives in effect at the innermost level of {@code chain} (outermost first): those of the
     * innermost level that has any.
     */
    static List<Directive> effective(List<Directive> chain, String name) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            List<Directive> own = chain.get(i).children(name);
            if (!own.isEmpty()) {
                return own;
            }
        }
        return List.of();
    }

    /** The entries of {@code proxySetHeaders} (or {@code add_header}s) that set {@code header}, case-insensitively. */
    static List<Directive> setting(List<Directive> headerDirectives, String header) {
        return headerDirectives.stream().filter(d -> d.arg(0).filter(header::equalsIgnoreCase).isPresent()).toList();
    }

    /**
     * The {@code proxy_set_header Host} entries in effect at the end of {@code chain} when there is more than one:
     * nginx then sends one Host header per entry. Empty when there is at most one.
     */
    static List<Directive> duplicateHostHeaders(List<Directive> chain) {
        List<Directive> hosts = setting(effective(chain, "proxy_set_header"), "Host");
        return hosts.size() > 1 ? hosts : List.of();
    }

    /** Which of Host, X-Real-IP and X-Forwarded-Proto the effective {@code proxy_set_header}s leave out. */
    static List<String> missingForwardedHeaders(List<Directive> chain) {
        List<Directive> effective = effective(chain, "proxy_set_header");
        List<String> missing = new ArrayList<>();
        for (String header : List.of("Host", "X-Real-IP", "X-Forwarded-Proto")) {
            if (setting(effective, header).isEmpty()) {
                missing.add(header);
            }
        }
        return missing;
    }

    /**
     * A level that defines its own {@code add_header}s and so drops security headers an outer level adds.
     *
     * @param level   the innermost block of the chain, which redefines
     * @param own     its own {@code add_header}s
     * @param dropped the outer {@code add_header}s of security headers it does not repeat
     */
    record DroppedHeaders(Directive level, List<Directive> own, List<Directive> dropped) {

        /** The dropped header names as written. */
        List<String> names() {
            return dropped.stream().map(d -> d.arg(0).orElse("")).distinct().toList();
        }

        /** Whether every dropped header was added with {@code always} (so it is expected on error statuses too). */
        boolean always() {
            return dropped.stream().allMatch(d -> d.args().size() > 2 && d.args().get(d.args().size() - 1).equals("always"));
        }
    }

    /**
     * Whether the innermost level of {@code chain} defines {@code add_header}s that drop security headers which the
     * levels around it add.
     */
    static Optional<DroppedHeaders> droppedSecurityHeaders(List<Directive> chain) {
        if (chain.size() < 2) {
            return Optional.empty();
        }
        Directive level = chain.get(chain.size() - 1);
        List<Directive> own = level.children("add_header");
        if (own.isEmpty()) {
            return Optional.empty();
        }
        Set<String> kept = new LinkedHashSet<>();
        own.forEach(d -> d.arg(0).ifPresent(n -> kept.add(n.toLowerCase(Locale.ROOT))));
        List<Directive> dropped = effective(chain.subList(0, chain.size() - 1), "add_header").stream()
                .filter(d -> d.arg(0).map(n -> n.toLowerCase(Locale.ROOT))
                        .filter(n -> SECURITY_HEADERS.contains(n) && !kept.contains(n)).isPresent())
                .toList();
        return dropped.isEmpty() ? Optional.empty() : Optional.of(new DroppedHeaders(level, own, dropped));
    }

    /** {@code file:line} of each directive, joined. */
    static String whereAll(List<Directive> directives) {
        return String.join(", ", directives.stream().map(Directive::where).toList());
    }
}
