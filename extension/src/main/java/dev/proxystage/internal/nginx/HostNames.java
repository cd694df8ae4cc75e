package dev.proxystage.internal.nginx;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How nginx finds a host among names that may be wildcards (ngx_hash_find_combined, for {@code server_name} and for
 * a {@code map} with {@code hostnames}): an exact name, else the longest leading wildcard ({@code *.example.com}, or
 * {@code .example.com}, which is example.com itself too), else the longest trailing one ({@code www.example.*}).
 * Caseless. Regexes, which come after all of these, are the caller's.
 */
final class HostNames {

    /** A name as written, and what it stands for. */
    record Named<T>(String name, T value) {
    }

    private HostNames() {
    }

    /** What the name that takes {@code host} (lower-case, without a trailing dot) stands for; the first on a tie. */
    static <T> Optional<T> find(String host, List<Named<T>> names) {
        for (Named<T> n : names) {
            String name = n.name().toLowerCase(Locale.ROOT);
            if (!name.startsWith("~") && !name.contains("*") && !name.startsWith(".") && name.equals(host)) {
                return Optional.of(n.value());
            }
        }
        T best = null;
        int bestLength = -1;
        for (Named<T> n : names) {
            String name = n.name().toLowerCase(Locale.ROOT);
            String suffix = name.startsWith("*.") ? name.substring(1) : name.startsWith(".") ? name : null;
            if (suffix == null) {
                continue;
            }
            boolean matches = host.endsWith(suffix) && host.length() > suffix.length()
                    || name.startsWith(".") && host.equals(name.substring(1));
            if (matches && suffix.length() > bestLength) {
                best = n.value();
                bestLength = suffix.length();
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        for (Named<T> n : names) {
            String name = n.name().toLowerCase(Locale.ROOT);
            if (name.endsWith(".*")) {
                String prefix = name.substring(0, name.length() - 1);
                if (host.startsWith(prefix) && host.length() > prefix.length() && prefix.length() > bestLength) {
                    best = n.value();
                    bestLength = prefix.length();
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
