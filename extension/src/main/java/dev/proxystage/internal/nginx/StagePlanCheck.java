package dev.proxystage.internal.nginx;

import dev.proxystage.internal.nginx.Problem.Rule;
import dev.proxystage.internal.nginx.Problem.Severity;
import dev.proxystage.internal.nginx.ProxyTarget.Via;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks a parsed configuration against one stage's plan before any container starts: every host nginx proxies to
 * must be one of the stage's backends, under its shared alias (each stage's network resolves {@code vaultwarden};
 * {@code vaultwarden-prep} exists nowhere) and on the port it serves on; and nginx's own rules ({@link NginxRules}).
 */
public final class StagePlanCheck {

    private static final String DOCKER_DNS = "127.0.0.11";

    private StagePlanCheck() {
    }

    /**
     * Finds the problems of {@code config} for {@code stage}: errors first, then warnings, each in configuration
     * order.
     *
     * @param config     the parsed configuration
     * @param stage      the stage being brought up, e.g. {@code prep}
     * @param stageNames every stage name of the pipeline (to recognise {@code <alias>-<stage>} host names)
     * @param backends   the backend aliases declared for {@code stage}
     */
    public static List<Problem> check(NginxConfig config, String stage, Set<String> stageNames, Set<String> backends) {
        Map<String, List<Integer>> unknownPorts = new LinkedHashMap<>();
        for (String b : backends) {
            unknownPorts.put(b, List.of());
        }
        return check(config, stage, stageNames, unknownPorts);
    }

    /**
     * As {@link #check(NginxConfig, String, Set, Set)}, and a pass to a port its backend does not serve on is a
     * warning.
     *
     * @param backendPorts every port each backend alias serves on inside the network, its main one first (its
     *                     {@code port}, then the {@code ports} of an echo backend, overlays merged); empty: not known
     */
    public static List<Problem> check(NginxConfig config, String stage, Set<String> stageNames,
                                      Map<String, List<Integer>> backendPorts) {
        return check(config, stage, stageNames, backendPorts, Map.of());
    }

    /**
     * As {@link #check(NginxConfig, String, Set, Map)}, for backends with more host names than their alias.
     *
     * @param moreNames a backend's further host names ({@code aliases} in pipeline.yml), each to the alias of its
     *                  backend: a pass may name them, and a backend reached by any of its names is used
     */
    public static List<Problem> check(NginxConfig config, String stage, Set<String> stageNames,
                                      Map<String, List<Integer>> backendPorts, Map<String, String> moreNames) {
        return check(config, stage, stageNames, backendPorts, moreNames, NginxRules.Options.NONE);
    }

    /**
     * As {@link #check(NginxConfig, String, Set, Map, Map)}, with what is known of the stage's nginx (its version, its
     * third-party modules) for nginx's own rules.
     */
    public static List<Problem> check(NginxConfig config, String stage, Set<String> stageNames,
                                      Map<String, List<Integer>> backendPorts, Map<String, String> moreNames,
                                      NginxRules.Options nginx) {
        Set<String> known = new TreeSet<>();
        Map<String, List<Integer>> ports = new HashMap<>();
        for (Map.Entry<String, List<Integer>> b : backendPorts.entrySet()) {
            known.add(b.getKey().toLowerCase(Locale.ROOT));
            ports.put(b.getKey().toLowerCase(Locale.ROOT), List.copyOf(b.getValue()));
        }
        Map<String, String> owner = new HashMap<>();
        moreNames.forEach((name, alias) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (!known.contains(key)) {
                owner.put(key, alias.toLowerCase(Locale.ROOT));
                ports.put(key, ports.getOrDefault(alias.toLowerCase(Locale.ROOT), List.of()));
            }
        });
        List<String> stages = new ArrayList<>();
        stages.add(stage.toLowerCase(Locale.ROOT));
        for (String s : stageNames) {
            stages.add(s.toLowerCase(Locale.ROOT));
        }
        // Longest first, so that stage "prod-eu" wins over stage "eu" for host "app-prod-eu".
        stages.sort(Comparator.comparingInt(String::length).reversed());

        Set<Problem> errors = new LinkedHashSet<>();
        Set<Problem> warnings = new LinkedHashSet<>();
        Set<String> used = new HashSet<>();
        String knownList = known.isEmpty() ? "none" : String.join(", ", known);

        for (ProxyTarget t : config.proxyTargets()) {
            Directive at = t.hostDefinedBy();
            if (!t.resolved()) {
                warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_UNRESOLVED, t.file(), t.line(), unresolved(t)));
            } else if (isLocal(t.host())) {
                // A pass to one of nginx's own loopback listeners never leaves the container: nothing to reach.
                if (!config.isOwnListener(t.host(), t.port())) {
                    warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_LOCAL, at.file(), at.line(), local(t.host(), t.port())));
                }
            } else if (known.contains(t.host()) || owner.containsKey(t.host())) {
                used.add(owner.getOrDefault(t.host(), t.host()));
                List<Integer> declared = ports.getOrDefault(t.host(), List.of());
                if (!declared.isEmpty() && t.port() != 0 && !declared.contains(t.port())) {
                    Directive port = t.portDefinedBy();
                    warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_PORT, port.file(), port.line(), t.directive().name()
                            + " sends to " + t.host() + ":" + t.port() + ", but backend '" + t.host() + "' of stage '"
                            + stage + "' serves on " + (declared.size() == 1 ? "port " + declared.get(0)
                            + " (its port in the pipeline)" : "ports " + declared.stream().map(String::valueOf)
                            .collect(Collectors.joining(", ")) + " (its port and ports in the"
                            + " pipeline)")));
                }
            } else {
                Optional<String> shared = withoutStageSuffix(t.host(), stages);
                if (shared.isPresent()) {
                    used.add(shared.get());
                    errors.add(new Problem(Severity.ERROR, Rule.BACKEND_STAGE_SUFFIX, at.file(), at.line(), "host '" + t.host() + "' carries a "
                            + "stage suffix; use the shared name '" + shared.get() + "' (each stage's network "
                            + "resolves it)"));
                } else if (resolvedAtRequestTime(t)) {
                    // nginx resolves it per request, not at start: the configuration is valid, its requests fail.
                    warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_UNKNOWN, at.file(), at.line(), "upstream host '" + t.host()
                            + "' is not a backend of stage '" + stage + "' (known backends: " + knownList + "); nginx"
                            + " resolves it per request, so it starts, and requests that reach it fail (502)"));
                } else {
                    errors.add(new Problem(Severity.ERROR, Rule.BACKEND_UNKNOWN, at.file(), at.line(), "upstream host '" + t.host()
                            + "' is not a backend of stage '" + stage + "' (known backends: " + knownList + ")"));
                }
            }
            if (resolvedAtRequestTime(t)) {
                if (t.resolver().isEmpty()) {
                    warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_RESOLVER, t.file(), t.line(), t.directive().name() + " uses "
                            + "variables, so nginx resolves its host per request, but no resolver is set for it; "
                            + "the stage needs \"resolver " + DOCKER_DNS + ";\" (Docker's DNS, which knows the "
                            + "backends)"));
                } else if (!usesDockerDns(t.resolver().get())) {
                    Resolver r = t.resolver().get();
                    warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_RESOLVER, r.file(), r.line(), "resolver "
                            + String.join(" ", r.addresses()) + " cannot resolve stage backends; the stage must use "
                            + "Docker's DNS " + DOCKER_DNS));
                }
            }
        }
        for (String backend : known) {
            if (!used.contains(backend)) {
                warnings.add(new Problem(Severity.WARNING, Rule.BACKEND_UNUSED, config.request().confD(), 0, "backend '" + backend
                        + "' of stage '" + stage + "' is not used by any proxy_pass"));
            }
        }
        for (Problem p : Readiness.check(config)) {
            (p.isError() ? errors : warnings).add(p);
        }
        List<Problem> rules = NginxRules.check(config, nginx).stream()
                .filter(p -> !NginxRules.coveredByCertificatePlan(p)).toList();
        List<Problem> all = new ArrayList<>(rules.stream().filter(Problem::isError).toList());
        all.addAll(errors);
        all.addAll(rules.stream().filter(p -> !p.isError()).toList());
        all.addAll(warnings);
        return all;
    }

    private static String unresolved(ProxyTarget t) {
        String name = t.directive().name();
        if (t.unresolvedVariables().isEmpty()) {
            return name + " target \"" + t.target() + "\" expands to \"" + t.host() + "\", which is not an address; "
                    + "ProxyStage cannot check where it routes";
        }
        List<String> vars = new ArrayList<>();
        for (String v : new LinkedHashSet<>(t.unresolvedVariables())) {
            vars.add("$" + v);
        }
        return "cannot resolve " + name + " target \"" + t.target() + "\": " + String.join(", ", vars)
                + (vars.size() == 1 ? " is" : " are") + " not set by any \"set\" or \"map\" in scope, so ProxyStage "
                + "cannot check where it routes";
    }

    /** Whether nginx must look the host up per request (variables, not an upstream name, not an address). */
    public static boolean resolvedAtRequestTime(ProxyTarget t) {
        if (t.via() == Via.UNRESOLVED) {
            return true;
        }
        // A variable anywhere in the pass, in its URI too (proxy_pass http://gitea:3000$uri), makes nginx evaluate
        // the whole target per request, and look up a host that names no upstream block through the resolver.
        boolean variables = t.via() == Via.VARIABLES || t.via() == Via.LITERAL && t.target().indexOf('$') >= 0;
        return variables && t.upstream().isEmpty() && !isLocal(t.host());
    }

    private static boolean usesDockerDns(Resolver r) {
        for (String address : r.addresses()) {
            String host = address.startsWith("[") || address.indexOf(':') < 0 ? address
                    : address.substring(0, address.indexOf(':'));
            if (host.equals(DOCKER_DNS)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> withoutStageSuffix(String host, List<String> stages) {
        int dot = host.indexOf('.');
        String label = dot < 0 ? host : host.substring(0, dot);
        for (String s : stages) {
            if (!s.isEmpty() && label.length() > s.length() + 1 && label.endsWith("-" + s)) {
                return Optional.of(label.substring(0, label.length() - s.length() - 1));
            }
        }
        return Optional.empty();
    }

    static boolean isLocal(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("[")
                || host.startsWith("unix:") || isIpv4(host);
    }

    private static String local(String host, int port) {
        if (host.startsWith("unix:")) {
            return "'" + host + "' is a unix socket inside the nginx container, not reachable as a stage backend";
        }
        if (host.equals("localhost") || host.endsWith(".localhost") || host.equals("[::1]") || Listens.isLoopbackV4(host)) {
            return "host '" + host + "' is the nginx container itself, not reachable as a stage backend"
                    + (port > 0 ? " (no server of this configuration listens on port " + port + " there)" : "")
                    + "; route to a backend alias";
        }
        return "host '" + host + "' is a literal IP address, not reachable as a stage backend; route to a backend "
                + "alias";
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return false;
            }
        }
        return true;
    }
}
