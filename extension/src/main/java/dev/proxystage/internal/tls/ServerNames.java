package dev.proxystage.internal.tls;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns nginx {@code server_name} values into the names a test certificate carries (subject alternative names) and
 * into one concrete host name per value that tests can send requests to.
 *
 * <p>The rules, per form of {@code server_name}:
 * <ul>
 *   <li>exact name {@code vw.example.com}: SAN and test name {@code vw.example.com};</li>
 *   <li>leading wildcard {@code *.example.com}: SAN {@code *.example.com}, test name {@code test.example.com}
 *       (the {@code *} becomes {@value #LEADING_WILDCARD_TEST_LABEL});</li>
 *   <li>{@code .example.com} (nginx shorthand for {@code example.com} and {@code *.example.com}): SANs
 *       {@code example.com} and {@code *.example.com}, test name {@code example.com};</li>
 *   <li>trailing wildcard {@code vw.*}: certificates cannot express it, so the {@code *} becomes
 *       {@value #TRAILING_WILDCARD_TEST_DOMAIN}: SAN and test name {@code vw.proxystage.test};</li>
 *   <li>IP address {@code 192.0.2.7} (or {@code [2001:db8::7]}): an IP SAN, test name the address without
 *       brackets;</li>
 *   <li>{@code _} and {@code ""}: match no particular host, so no SAN and no test name;</li>
 *   <li>regular expression {@code ~^(?<app>.+)\.example\.com$}: the shortest host it matches, open parts filled
 *       from {@value #TRAILING_WILDCARD_TEST_DOMAIN} ({@code proxystage.example.com}; {@code ~^\d+\.app\..*$} gives
 *       {@code 0.app.proxystage.test}): SAN and test name; a regex that uses what a host cannot be derived from
 *       (lookarounds, back-references) needs an explicit test name, otherwise {@link ServerNameException};</li>
 *   <li>{@code $hostname}: no host can be derived, so it needs an explicit test name.</li>
 * </ul>
 *
 * <p>Test names are given per {@code server_name} value in a map (from {@code pipeline.yml}
 * {@code tls.testNames}), keyed by the value as written, with or without its surrounding quotes. A test name
 * replaces the derived one; it must be a concrete host that nginx would route to that {@code server_name}, and the
 * certificate carries it unless a wildcard SAN already covers it. Names are lowercased, as nginx does.
 */
public final class ServerNames {

    /** Replaces the {@code *} of a leading wildcard: {@code *.example.com} is tested as {@code test.example.com}. */
    public static final String LEADING_WILDCARD_TEST_LABEL = "test";

    /** Replaces the {@code *} of a trailing wildcard: {@code vw.*} is tested as {@code vw.proxystage.test}. */
    public static final String TRAILING_WILDCARD_TEST_DOMAIN = "proxystage.test";

    /** The forms a {@code server_name} value takes. */
    public enum Kind {
        /** {@code vw.example.com}, {@code localhost}. */
        EXACT,
        /** {@code *.example.com}. */
        LEADING_WILDCARD,
        /** {@code .example.com}: the domain and all its subdomains. */
        DOMAIN_AND_SUBDOMAINS,
        /** {@code vw.*}. */
        TRAILING_WILDCARD,
        /** {@code 192.0.2.7}, {@code [2001:db8::7]}. */
        IP_ADDRESS,
        /** {@code ~^(?<app>.+)\.example\.com$}. */
        REGEX,
        /** {@code $hostname}: the machine's host name, unknown ahead of the run. */
        HOSTNAME_VARIABLE,
        /** {@code _} or {@code ""}: no particular host. */
        NO_HOST
    }

    /**
     * One {@code server_name} value with what the certificate carries for it and the host tests use for it.
     *
     * @param serverName              the value as written
     * @param kind                    its form
     * @param subjectAlternativeNames DNS names (possibly {@code *.}-wildcards) and IP addresses, maybe none
     * @param testHostName            a concrete host to send requests to; empty for {@code _} and {@code ""}
     */
    public record Resolved(String serverName, Kind kind, List<String> subjectAlternativeNames,
                           Optional<String> testHostName) {
        public Resolved {
            Objects.requireNonNull(serverName, "serverName");
            Objects.requireNonNull(kind, "kind");
            subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
            Objects.requireNonNull(testHostName, "testHostName");
        }
    }

    private static final Pattern LABEL = Pattern.compile("[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f]*:[0-9a-f:.]*");

    private ServerNames() {
    }

    /**
     * Resolves one {@code server_name} value.
     *
     * @throws ServerNameException if the value is not valid for nginx, or needs a test name that {@code testNames}
     *                             does not give, or {@code testNames} gives an unusable one
     */
    public static Resolved resolve(String serverName, Map<String, String> testNames) {
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(testNames, "testNames");
        Parsed parsed = parse(serverName);
        Optional<String> override = override(serverName, testNames);
        if (override.isPresent()) {
            String testName = checkedOverride(serverName, parsed, override.get());
            List<String> sans = new ArrayList<>(naturalSans(parsed));
            if (!covered(sans, testName)) {
                sans.add(testName);
            }
            return new Resolved(serverName, parsed.kind(), sans, Optional.of(testName));
        }
        return switch (parsed.kind()) {
            case EXACT, IP_ADDRESS, DOMAIN_AND_SUBDOMAINS ->
                    new Resolved(serverName, parsed.kind(), naturalSans(parsed), Optional.of(parsed.name()));
            case LEADING_WILDCARD -> new Resolved(serverName, parsed.kind(), naturalSans(parsed),
                    Optional.of(LEADING_WILDCARD_TEST_LABEL + "." + parsed.name()));
            case TRAILING_WILDCARD -> {
                String testName = parsed.name() + "." + TRAILING_WILDCARD_TEST_DOMAIN;
                yield new Resolved(serverName, parsed.kind(), List.of(testName), Optional.of(testName));
            }
            case NO_HOST -> new Resolved(serverName, parsed.kind(), List.of(), Optional.empty());
            case REGEX -> {
                String testName = derived(serverName, parsed.name());
                yield new Resolved(serverName, parsed.kind(), List.of(testName), Optional.of(testName));
            }
            case HOSTNAME_VARIABLE -> throw new ServerNameException(serverName, "server_name " + quoted(serverName)
                    + " stands for the machine's host name, which ProxyStage cannot know ahead; name the host to test"
                    + " with in pipeline.yml, e.g. " + yamlHint(serverName, "proxy.example.com"));
        };
    }

    private static String derived(String serverName, String regex) {
        try {
            return RegexHosts.derive(regex);
        } catch (RegexHosts.Untranslatable e) {
            throw new ServerNameException(serverName, "server_name " + quoted(serverName) + " is a regular expression"
                    + " that " + e.getMessage() + ", so ProxyStage cannot derive a host name to test with; name a host"
                    + " it matches in pipeline.yml, e.g. " + yamlHint(serverName, "<a host it matches>"));
        }
    }

    /**
     * The subject alternative names a certificate for a server block with these {@code server_name} values needs,
     * in order, without duplicates and without names a {@code *.} wildcard in the list already covers.
     *
     * @throws ServerNameException for the first value that cannot be resolved
     */
    public static List<String> subjectAlternativeNames(List<String> serverNames, Map<String, String> testNames) {
        Set<String> sans = new LinkedHashSet<>();
        for (String serverName : serverNames) {
            sans.addAll(resolve(serverName, testNames).subjectAlternativeNames());
        }
        // A test name another value's wildcard already covers adds nothing to the certificate.
        List<String> wildcards = sans.stream().filter(san -> san.startsWith("*.")).toList();
        return sans.stream().filter(san -> san.startsWith("*.") || !covered(wildcards, san)).toList();
    }

    /**
     * The concrete host tests use for this {@code server_name}; empty for {@code _} and {@code ""}.
     *
     * @throws ServerNameException if the value cannot be resolved
     */
    public static Optional<String> testHostName(String serverName, Map<String, String> testNames) {
        return resolve(serverName, testNames).testHostName();
    }

    /**
     * The concrete test hosts of a server block, without duplicates, in order.
     *
     * @throws ServerNameException for the first value that cannot be resolved
     */
    public static List<String> testHostNames(List<String> serverNames, Map<String, String> testNames) {
        Set<String> hosts = new LinkedHashSet<>();
        for (String serverName : serverNames) {
            resolve(serverName, testNames).testHostName().ifPresent(hosts::add);
        }
        return List.copyOf(hosts);
    }

    /** Why this value cannot be resolved (one line, no file), or empty if it can; for collecting all problems. */
    public static Optional<String> problem(String serverName, Map<String, String> testNames) {
        try {
            resolve(serverName, testNames);
            return Optional.empty();
        } catch (ServerNameException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Keys of {@code testNames} that name none of these {@code server_name} values: most likely a typo in
     * {@code pipeline.yml}, which would otherwise be ignored silently.
     */
    public static List<String> unusedTestNames(Collection<String> allServerNames, Map<String, String> testNames) {
        Set<String> used = new LinkedHashSet<>();
        for (String serverName : allServerNames) {
            used.add(serverName);
            used.add(unquote(serverName));
        }
        return testNames.keySet().stream().filter(key -> !used.contains(key)).sorted().toList();
    }

    /** Whether nginx would route a request for {@code host} to this {@code server_name} (regexes: best effort). */
    static boolean nginxMatches(String serverName, String host) {
        return nginxMatches(parse(serverName), host);
    }

    private static boolean nginxMatches(Parsed parsed, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String name = parsed.name();
        return switch (parsed.kind()) {
            case EXACT -> h.equals(name);
            case IP_ADDRESS -> stripBrackets(h).equals(name);
            case LEADING_WILDCARD -> h.endsWith("." + name);
            case DOMAIN_AND_SUBDOMAINS -> h.equals(name) || h.endsWith("." + name);
            case TRAILING_WILDCARD -> h.startsWith(name + ".") && h.length() > name.length() + 1;
            case REGEX -> regexMatches(name, h);
            // $hostname depends on the machine; "_" and "" are reached through default_server, not by name.
            case HOSTNAME_VARIABLE, NO_HOST -> true;
        };
    }

    /**
     * The form a name has in a certificate, lowercased and without IPv6 brackets, or empty if a certificate cannot
     * carry it: a host name, a {@code *.}-wildcard of one, or an IP address.
     */
    static Optional<String> certificateName(String name) {
        String n = stripBrackets(name.toLowerCase(Locale.ROOT));
        if (n.equals("_")) {
            return Optional.empty();
        }
        if (isIpAddress(n) || isHostName(n) || (n.startsWith("*.") && isHostName(n.substring(2)))) {
            return Optional.of(n);
        }
        return Optional.empty();
    }

    private record Parsed(Kind kind, String name) {
    }

    private static Parsed parse(String serverName) {
        String value = unquote(serverName);
        if (value.isEmpty() || value.equals("_")) {
            return new Parsed(Kind.NO_HOST, "");
        }
        if (value.startsWith("~")) {
            return new Parsed(Kind.REGEX, value.substring(1));
        }
        if (value.equals("$hostname")) {
            return new Parsed(Kind.HOSTNAME_VARIABLE, "");
        }
        String name = value.toLowerCase(Locale.ROOT);
        if (isIpAddress(name)) {
            return new Parsed(Kind.IP_ADDRESS, stripBrackets(name));
        }
        Parsed parsed;
        if (name.startsWith("*.")) {
            parsed = new Parsed(Kind.LEADING_WILDCARD, name.substring(2));
        } else if (name.startsWith(".")) {
            parsed = new Parsed(Kind.DOMAIN_AND_SUBDOMAINS, name.substring(1));
        } else if (name.endsWith(".*")) {
            parsed = new Parsed(Kind.TRAILING_WILDCARD, name.substring(0, name.length() - 2));
        } else {
            parsed = new Parsed(Kind.EXACT, name);
        }
        if (parsed.name().contains("*")) {
            throw new ServerNameException(serverName, "server_name " + quoted(serverName)
                    + " is not valid: nginx accepts \"*\" only as the whole first or last label (*.example.com,"
                    + " www.*); use a regular expression (~...) for anything else");
        }
        if (!isHostName(parsed.name())) {
            throw new ServerNameException(serverName, "server_name " + quoted(serverName)
                    + " is not a host name a certificate can carry (dot-separated labels of letters, digits,"
                    + " \"-\" and \"_\")");
        }
        return parsed;
    }

    private static List<String> naturalSans(Parsed parsed) {
        return switch (parsed.kind()) {
            case EXACT, IP_ADDRESS -> List.of(parsed.name());
            case LEADING_WILDCARD -> List.of("*." + parsed.name());
            case DOMAIN_AND_SUBDOMAINS -> List.of(parsed.name(), "*." + parsed.name());
            // A certificate cannot say "vw.*", a regex, or "any host".
            case TRAILING_WILDCARD, REGEX, HOSTNAME_VARIABLE, NO_HOST -> List.of();
        };
    }

    private static Optional<String> override(String serverName, Map<String, String> testNames) {
        String direct = testNames.get(serverName);
        if (direct != null) {
            return Optional.of(direct);
        }
        // Regexes with "{" must be quoted in nginx; pipeline.yml may name them with or without the quotes.
        return Optional.ofNullable(testNames.get(unquote(serverName)));
    }

    private static String checkedOverride(String serverName, Parsed parsed, String override) {
        String testName = stripBrackets(override.trim().toLowerCase(Locale.ROOT));
        if (!(isIpAddress(testName) || isHostName(testName))) {
            throw new ServerNameException(serverName, "tls.testNames gives " + quoted(override) + " for server_name "
                    + quoted(serverName) + ", but a test name must be one concrete host name such as vw.example.com");
        }
        // A host nginx would send to another server block would test the wrong configuration.
        if (!nginxMatches(parsed, testName)) {
            throw new ServerNameException(serverName, "tls.testNames gives " + quoted(override) + " for server_name "
                    + quoted(serverName) + ", but nginx would not route that host to it");
        }
        return testName;
    }

    private static boolean covered(List<String> sans, String host) {
        for (String san : sans) {
            if (san.equals(host)) {
                return true;
            }
            // A certificate wildcard stands for exactly one label.
            if (san.startsWith("*.") && host.endsWith(san.substring(1))) {
                String label = host.substring(0, host.length() - san.length() + 1);
                if (!label.isEmpty() && !label.contains(".")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean regexMatches(String regex, String host) {
        try {
            // nginx compiles server_name regexes caseless and unanchored; PCRE spells named groups (?P<name>...).
            return Pattern.compile(regex.replace("(?P<", "(?<"), Pattern.CASE_INSENSITIVE).matcher(host).find();
        } catch (PatternSyntaxException e) {
            // PCRE syntax Java does not know: trust the user rather than reject a working configuration.
            return true;
        }
    }

    private static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.length() > 63 || !LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpAddress(String name) {
        String address = stripBrackets(name);
        if (IPV4.matcher(address).matches()) {
            for (String part : address.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (IPV6.matcher(address).matches()) {
            try {
                // A literal containing ':' is parsed, never looked up.
                return InetAddress.getByName(address) instanceof Inet6Address;
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private static String stripBrackets(String name) {
        return name.length() > 2 && name.startsWith("[") && name.endsWith("]")
                ? name.substring(1, name.length() - 1) : name;
    }

    private static String unquote(String value) {
        if (value.length() >= 2) {
            char first = value.charAt(0);
            if ((first == '"' || first == '\'') && value.charAt(value.length() - 1) == first) {
                return value.substring(1, value.length() - 1);
            }
        }
        return value;
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }

    /** A pipeline.yml snippet in flow style; single quotes so a regex needs no backslash escaping. */
    private static String yamlHint(String serverName, String example) {
        return "tls: { testNames: { " + yamlQuoted(unquote(serverName)) + ": " + yamlQuoted(example) + " } }";
    }

    private static String yamlQuoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
