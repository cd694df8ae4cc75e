package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Names too long for nginx's hash buckets. nginx keeps server names (per address:port shared by several servers) and
 * a map's keys in hashes whose every bucket must hold at least one key: a pointer, the key with its 2-byte length
 * rounded up to 8 bytes, and the bucket's closing pointer (ngx_hash_init); wildcard names are hashed label by label.
 * With the default bucket size, one 64-byte cache line, a name or label of 47 characters or more stops nginx: "could
 * not build server_names_hash, you should increase server_names_hash_bucket_size: 64". And the first map block
 * settles map_hash_bucket_size and map_hash_max_size: given after it, either is "duplicate".
 */
final class HashBuckets {

    /** ngx_cacheline_size on the x86-64 and arm64 machines the stage images run on. */
    static final int CACHE_LINE = 64;

    private HashBuckets() {
    }

    static List<Problem> check(List<Directive> top, List<ServerBlock> servers) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Directive> sizes = new LinkedHashMap<>();
        List<Directive> maps = new ArrayList<>();
        Directive.walk(top, d -> {
            if ((d.name().equals("server_names_hash_bucket_size") || d.name().equals("map_hash_bucket_size"))
                    && d.args().size() == 1) {
                sizes.putIfAbsent(d.name(), d);
            }
            if ((d.name().equals("map_hash_bucket_size") || d.name().equals("map_hash_max_size")) && !maps.isEmpty()) {
                // The first map block settles both (its hash is built there): a later one finds them set.
                problems.add(new Problem(Severity.ERROR, Rule.NGINX_DUPLICATE, d.file(), d.line(), "\"" + d.name()
                        + "\" directive is duplicate (the map at " + maps.get(0).where()
                        + " settled it; put it before the first map)"));
            }
            if (d.name().equals("map") && d.hasBlock() && d.args().size() == 2) {
                maps.add(d);
            }
        });
        long names = bucketSize(sizes.get("server_names_hash_bucket_size"));
        long keys = bucketSize(sizes.get("map_hash_bucket_size"));
        serverNames(servers, names, problems);
        for (Directive map : maps) {
            mapKeys(map, keys, problems);
        }
        return problems;
    }

    /** The bucket size nginx uses: the directive's value rounded up to a cache line, else one cache line. */
    private static long bucketSize(Directive size) {
        long value = size == null ? CACHE_LINE : NginxValues.parseSize(size.args().get(0));
        if (value <= 0) {
            return Long.MAX_VALUE; // a value nginx refuses is reported as such elsewhere
        }
        return (value + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    }

    /** Whether a key of {@code length} bytes fits a bucket of {@code bucket} bytes. */
    static boolean fits(int length, long bucket) {
        return bucket >= needed(length);
    }

    /** The bytes a bucket needs for one key of {@code length} bytes: its pointer, length and text, and the end. */
    private static long needed(int length) {
        return 8 + ((length + 2 + 7) / 8) * 8L + 8;
    }

    /** The smallest bucket size, in cache lines, that holds a key of {@code length} bytes. */
    private static long enough(int length) {
        return (needed(length) + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    }

    /** Exact names, in the hash of every address:port that more than one server shares. */
    private static void serverNames(List<ServerBlock> servers, long bucket, List<Problem> problems) {
        // Lists and identity: a server block's hash code walks every nested location.
        Map<String, List<ServerBlock>> byAddress = new LinkedHashMap<>();
        for (ServerBlock server : servers) {
            Set<String> own = new HashSet<>();
            for (Listen listen : server.listens()) {
                String key = DefaultServers.addressPort(listen);
                if (own.add(key)) {
                    byAddress.computeIfAbsent(key, k -> new ArrayList<>()).add(server);
                }
            }
        }
        Set<Directive> reported = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<ServerBlock> shared : byAddress.values()) {
            if (shared.size() < 2) {
                continue;
            }
            for (ServerBlock server : shared) {
                for (Directive names : server.directive().children("server_name")) {
                    for (String name : names.args()) {
                        String tooLong = tooLong(name, bucket);
                        if (tooLong != null && reported.add(names)) {
                            problems.add(new Problem(Severity.ERROR, Rule.NGINX_SERVERS, names.file(), names.line(),
                                    "could not build server_names_hash, you should increase"
                                            + " server_names_hash_bucket_size: " + bucket + " (\"" + tooLong
                                            + "\" of the server name \"" + name + "\" has " + bytes(tooLong)
                                            + " bytes; set \"server_names_hash_bucket_size "
                                            + enough(bytes(tooLong)) + ";\" in http)"));
                        }
                    }
                }
            }
        }
    }

    /** A map's exact keys: neither a regex nor default, hostnames or volatile; a hostnames ".x" is x too. */
    private static void mapKeys(Directive map, long bucket, List<Problem> problems) {
        boolean hostnames = map.block().stream().anyMatch(d -> d.name().equals("hostnames") && d.args().isEmpty());
        for (Directive entry : map.block()) {
            String key = entry.name();
            if (entry.args().size() != 1 || key.equals("default") || key.equals("include") || key.startsWith("~")) {
                continue;
            }
            if (key.startsWith("\\")) {
                key = key.substring(1);
            }
            String tooLong = hostnames ? tooLong(key, bucket) : fits(bytes(key), bucket) ? null : key;
            if (tooLong != null) {
                problems.add(new Problem(Severity.ERROR, Rule.NGINX_VALUE, entry.file(), entry.line(),
                        "could not build map_hash, you should increase map_hash_bucket_size: " + bucket + " (\""
                                + tooLong + "\" of the key \"" + key + "\" has " + bytes(tooLong)
                                + " bytes; set \"map_hash_bucket_size " + enough(bytes(tooLong))
                                + ";\" in http, before the first map)"));
                return;
            }
        }
    }

    /**
     * The part of a host name that does not fit a bucket, or null: an exact name is hashed whole ({@code .x} is x
     * too); a wildcard ({@code *.x}, {@code .x}, {@code x.*}) label by label, one hash per level; a regex not at all.
     */
    private static String tooLong(String name, long bucket) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("~")) {
            return null;
        }
        boolean head = lower.startsWith("*.") || lower.startsWith(".");
        boolean tail = lower.endsWith(".*");
        if (!head && !tail) {
            return fits(bytes(lower), bucket) ? null : lower;
        }
        String domain = lower.substring(lower.startsWith("*.") ? 2 : head ? 1 : 0,
                tail ? lower.length() - 2 : lower.length());
        if (lower.startsWith(".") && !fits(bytes(domain), bucket)) {
            return domain;
        }
        for (String label : domain.split("\\.")) {
            if (!fits(bytes(label), bucket)) {
                return label;
            }
        }
        return null;
    }

    /** nginx counts bytes. */
    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
