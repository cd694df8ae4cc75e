package dev.proxystage.internal.init;

import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ProxyTarget;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The backends a configuration reaches, from the parser's view of every pass directive: literal hosts, upstream
 * blocks and {@code set}/{@code map} variables alike. A host becomes a backend when it can be a container on the
 * stage network (a label, or dotted labels that are no public DNS name); everything else is a note saying why not.
 */
final class Discovery {

    /** What pipeline.yml accepts as an alias: labels joined by dots (Docker network aliases may have dots). */
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final int MAX_ALIAS = 63;

    /**
     * Top-level domains of the public DNS that configurations proxy to; with every two-letter (country) one, a host
     * ending in them is a public name. Others ({@code .example}, {@code .test}, {@code .internal}, {@code .lan},
     * a compose project's own suffix such as {@code .meet.jitsi}) are names a Docker network gives its containers.
     */
    private static final Set<String> PUBLIC_TLDS = Set.of("com", "net", "org", "edu", "gov", "mil",
            "int", "info", "biz", "name", "pro", "aero", "coop", "museum", "mobi", "asia", "jobs", "tel", "travel",
            "app", "dev", "page", "cloud", "online", "site", "tech", "store", "shop", "xyz", "top", "club", "live",
            "blog", "email", "space", "website", "network", "systems", "digital", "solutions", "services", "group",
            "media", "news", "agency", "company", "world", "today", "life", "work", "zone", "software", "host",
            "hosting", "run", "link", "global", "social", "studio", "design", "icu", "vip", "art");
    /**
     * The longest backend name check accepts for every stage init writes: the container is named
     * {@code <backend>-<stage>-<8 hex digits>}, which must fit a DNS label (63), and the longest stage has 4 letters.
     */
    static final int MAX_NAME = 63 - 1 - ProjectInit.STAGES.stream().mapToInt(String::length).max().orElseThrow() - 9;

    /**
     * One upstream host: its name in pipeline.yml (the alias, unless too long for a container name), its ports in
     * the order conf.d first uses them, and where each was first written.
     */
    record Backend(String name, String alias, List<Integer> ports, List<Directive> definedAt, Set<String> schemes) {
    }

    final Map<String, Backend> backends = new LinkedHashMap<>();
    final Set<ProjectInit.Note> notes = new LinkedHashSet<>();
    /** The backend aliases each pass directive reaches; a pass with any undecided target is absent. */
    final Map<Directive, Set<String>> aliasesByPass = new LinkedHashMap<>();
    /** The backend alias of each decided target (the parser's own instances), for what one request reaches. */
    final Map<ProxyTarget, String> aliasByTarget = new IdentityHashMap<>();

    /** Names known to be containers on the stack's network (a compose file's services and aliases), dotted or not. */
    private Set<String> containers = Set.of();

    static Discovery of(NginxConfig config) {
        return of(config, Set.of());
    }

    /** As {@link #of(NginxConfig)}; a host in {@code containers} is a backend even when it has dots. */
    static Discovery of(NginxConfig config, Set<String> containers) {
        Discovery d = new Discovery();
        d.containers = containers;
        Set<Directive> undecided = new LinkedHashSet<>();
        for (ProxyTarget t : config.proxyTargets()) {
            if (t.resolved() && config.isOwnListener(t.host(), t.port())) {
                // A pass to nginx's own loopback listener stays in its container: no backend, and nothing to note.
                undecided.add(t.directive());
                continue;
            }
            String alias = d.classify(t);
            if (alias == null) {
                undecided.add(t.directive());
            } else {
                d.aliasesByPass.computeIfAbsent(t.directive(), k -> new LinkedHashSet<>()).add(alias);
                d.aliasByTarget.put(t, alias);
            }
        }
        undecided.forEach(d.aliasesByPass::remove);
        return d;
    }

    /** The backend alias the target reaches, recorded with its port; null (and a note) when there is none. */
    private String classify(ProxyTarget t) {
        String pass = t.directive().name() + " \"" + t.target() + "\"";
        if (!t.resolved()) {
            if (t.unresolvedVariables().isEmpty()) {
                note(t.directive(), pass + " expands to \"" + t.host() + "\", not an address; add its backend by hand");
            } else {
                List<String> vars = new ArrayList<>();
                for (String v : new LinkedHashSet<>(t.unresolvedVariables())) {
                    vars.add("$" + v);
                }
                note(t.directive(), "cannot decide the backend of " + pass + ": " + String.join(", ", vars)
                        + (vars.size() == 1 ? " is" : " are") + " set by no \"set\" or \"map\" (the request decides);"
                        + " add its backend by hand");
            }
            return null;
        }
        String host = t.host();
        Directive at = t.hostDefinedBy();
        if (isLocal(host)) {
            note(at, pass + " goes to '" + host + "', not a container on the stage network; no backend written"
                    + " for it");
            return null;
        }
        if (isPublic(host) && !containers.contains(host)) {
            note(at, "upstream host '" + host + "' is outside the stage (a public host name, not a container"
                    + " name); no backend written for it (if your stage network gives a container that alias, add"
                    + " it to pipeline.yml)");
            return null;
        }
        if ((!ALIAS.matcher(host).matches() || host.length() > MAX_ALIAS) && !containers.contains(host)) {
            note(at, "upstream host '" + host + "' cannot be a backend alias (labels of lower-case letters, digits"
                    + " and '-', joined by '.', at most " + MAX_ALIAS + " characters); no backend written for it");
            return null;
        }
        if (t.port() <= 0) {
            note(at, pass + " names no port for '" + host + "'; no backend written for it");
            return null;
        }
        Backend b = backends.computeIfAbsent(host, h -> new Backend(name(h, at), h, new ArrayList<>(),
                new ArrayList<>(), new LinkedHashSet<>()));
        if (!b.ports().contains(t.port())) {
            b.ports().add(t.port());
            b.definedAt().add(at);
        }
        b.schemes().add(t.scheme());
        return host;
    }

    /** The host as a backend name, or a shorter one that is still unique (with a note) when it is too long. */
    private String name(String host, Directive at) {
        if (host.length() <= MAX_NAME) {
            return host;
        }
        String stem = host.substring(0, MAX_NAME - 9).replaceAll("-+$", "");
        String name = stem + "-" + String.format("%08x", host.hashCode());
        for (int i = 2; taken(name); i++) {
            name = stem + "-" + String.format("%08x", (host + i).hashCode());
        }
        note(at, "upstream host '" + host + "' is " + host.length() + " characters, too long for a backend name (its"
                + " container <name>-<stage>-<run id> must fit 63); pipeline.yml names the backend '" + name
                + "' and keeps '" + host + "' as its alias");
        return name;
    }

    private boolean taken(String name) {
        return backends.values().stream().anyMatch(b -> b.name().equals(name) || b.alias().equals(name));
    }

    private void note(Directive at, String message) {
        notes.add(new ProjectInit.Note(at.file(), at.line(), message));
    }

    /** A dotted host under a public top-level domain; a dotted alias of a compose network is not one. */
    static boolean isPublic(String host) {
        int dot = host.lastIndexOf('.');
        if (dot < 0) {
            return false;
        }
        String tld = host.substring(dot + 1);
        return tld.length() == 2 && tld.chars().allMatch(c -> c >= 'a' && c <= 'z') || PUBLIC_TLDS.contains(tld);
    }

    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("[")
                || host.startsWith("unix:") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
