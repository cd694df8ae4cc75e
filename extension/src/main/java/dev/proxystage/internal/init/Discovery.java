package dev.proxystage.internal.init;

import dev.proxystage.internal.nginx.Directive;
import dev.proxystage.internal.nginx.NginxConfig;
import dev.proxystage.internal.nginx.ProxyTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The backends a configuration reaches, from the parser's view of every pass directive: literal hosts, upstream
 * blocks and {@code set}/{@code map} variables alike. A host becomes a backend when it can be a container on the
 * stage network (one DNS label); everything else is a note saying why not.
 */
final class Discovery {

    private static final Pattern ALIAS = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    /** A DNS label: what a network alias can be. */
    private static final int MAX_ALIAS = 63;
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

    static Discovery of(NginxConfig config) {
        Discovery d = new Discovery();
        Set<Directive> undecided = new LinkedHashSet<>();
        for (ProxyTarget t : config.proxyTargets()) {
            String alias = d.classify(t);
            if (alias == null) {
                undecided.add(t.directive());
            } else {
                d.aliasesByPass.computeIfAbsent(t.directive(), k -> new LinkedHashSet<>()).add(alias);
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
        if (host.contains(".")) {
            note(at, "upstream host '" + host + "' is outside the stage (a public host name, not a container"
                    + " name); no backend written for it");
            return null;
        }
        if (!ALIAS.matcher(host).matches() || host.length() > MAX_ALIAS) {
            note(at, "upstream host '" + host + "' cannot be a backend alias (lower-case letters, digits and '-', at"
                    + " most " + MAX_ALIAS + " characters); no backend written for it");
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

    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("[")
                || host.startsWith("unix:") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
