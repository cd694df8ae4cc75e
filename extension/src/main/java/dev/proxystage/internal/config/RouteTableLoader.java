package dev.proxystage.internal.config;

import dev.proxystage.Fault;
import dev.proxystage.ProxyStageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import okhttp3.HttpUrl;

/**
 * Loads a routes.yml. Every mistake (unknown key, wrong type, a route without url, a bad regex) is one
 * {@link ProxyStageException} that starts with {@code file:line:column}.
 */
public final class RouteTableLoader {

    private static final Set<String> TOP_KEYS = Set.of("routes");
    private static final Set<String> ROUTE_KEYS = Set.of("name", "request", "expect", "stages", "fault");
    private static final Set<String> REQUEST_KEYS = Set.of("method", "url", "headers", "body");
    private static final Set<String> EXPECT_KEYS = Set.of("status", "backend", "redirect", "headers", "forwardedHeaders", "websocket");
    private static final Set<String> STAGE_KEYS = Set.of("expect", "skip", "differs");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern SHORTHAND = Pattern.compile("([A-Za-z]+)\\s+(\\S+)");
    /** RFC 9110 §5.6.2: a field name is a token of these characters. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    /** A table may have this many routes; {@code init} writes one per server name and location. */
    public static final int MAX_ROUTES = 100_000;
    /** A route table's own limits, far above a pipeline file's: a table grows with the configuration it tests. */
    static final YamlLoader.Limits LIMITS = new YamlLoader.Limits("a route table", 32 * 1024 * 1024,
            20 * MAX_ROUTES, 2 * MAX_ROUTES, MAX_ROUTES);

    private RouteTableLoader() {
    }

    /** The default table: routes.yml beside {@code pipeline}. */
    public static Path besidePipeline(Path pipeline) {
        Path dir = pipeline.toAbsolutePath().normalize().getParent();
        return dir == null ? Path.of("routes.yml") : dir.resolve("routes.yml");
    }

    public static RouteTableFile load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ProxyStageException("route table not found: " + file.toAbsolutePath().normalize());
        }
        YamlNode root = YamlLoader.load(file, LIMITS);
        requireMap(root, "the route table");
        checkKeys(root, "the route table", TOP_KEYS);
        YamlNode routesNode = root.map().get("routes");
        if (routesNode == null) {
            throw new ProxyStageException(root.location() + ": the route table has no 'routes' list");
        }
        if (!routesNode.isList()) {
            throw new ProxyStageException(routesNode.location() + ": routes must be a list");
        }
        if (routesNode.list().size() > MAX_ROUTES) {
            throw new ProxyStageException(routesNode.location() + ": " + routesNode.list().size()
                    + " routes, more than the " + MAX_ROUTES + " a route table may have");
        }
        List<RouteTableFile.Route> routes = new ArrayList<>();
        for (int i = 0; i < routesNode.list().size(); i++) {
            routes.add(route(routesNode.list().get(i), "routes[" + i + "]"));
        }
        return new RouteTableFile(file, List.copyOf(routes));
    }

    private static RouteTableFile.Route route(YamlNode node, String path) {
        requireMap(node, path);
        checkKeys(node, path, ROUTE_KEYS);
        YamlNode requestNode = node.map().get("request");
        if (requestNode == null || requestNode.isNull()) {
            throw new ProxyStageException(node.location() + ": " + path + " has no request (and so no url)");
        }
        RouteTableFile.Request request = request(requestNode, path + ".request");
        String name = optionalString(node, "name", path).orElse(request.method() + " " + request.url());
        YamlNode nameNode = node.map().get("name");
        if (nameNode != null && name.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new ProxyStageException(nameNode.location() + ": " + path + ".name must be one line (no CR, LF or NUL):"
                    + " results print one line per route");
        }
        YamlNode urlNode = requestNode.isMap() ? requestNode.map().get("url") : requestNode;
        YamlNode expectNode = node.map().get("expect");
        if (expectNode != null && !expectNode.isNull()) {
            requireMap(expectNode, path + ".expect");
        }
        RouteTableFile.Expect expect = expect(expectNode, path + ".expect");
        Map<String, Optional<RouteTableFile.Expect>> stages = new LinkedHashMap<>();
        Map<String, String> stageLocations = new LinkedHashMap<>();
        Map<String, String> differs = new LinkedHashMap<>();
        YamlNode stagesNode = node.map().get("stages");
        if (stagesNode != null && !stagesNode.isNull()) {
            requireMap(stagesNode, path + ".stages");
            stagesNode.map().forEach((stage, override) -> {
                String where = path + ".stages." + stage;
                requireMap(override, where);
                checkKeys(override, where, STAGE_KEYS);
                stageLocations.put(stage, override.location());
                YamlNode differsNode = override.map().get("differs");
                if (differsNode != null) {
                    differs.put(stage, reason(differsNode, where + ".differs"));
                }
                YamlNode skip = override.map().get("skip");
                if (skip != null && bool(scalar(skip, where + ".skip"), skip, where + ".skip")) {
                    stages.put(stage, Optional.empty());
                    return;
                }
                YamlNode overrideExpect = override.map().get("expect");
                if (overrideExpect != null && !overrideExpect.isNull()) {
                    requireMap(overrideExpect, where + ".expect");
                }
                stages.put(stage, Optional.of(expect(YamlNode.merge(expectNode, overrideExpect), where + ".expect")));
            });
        }
        YamlNode faultNode = node.map().get("fault");
        Optional<RouteTableFile.RouteFault> fault = faultNode == null || faultNode.isNull() ? Optional.empty()
                : Optional.of(fault(faultNode, path + ".fault"));
        return new RouteTableFile.Route(name, node.location(), request, expect, stages, stageLocations, urlNode.location(),
                Map.copyOf(differs), fault);
    }

    /** {@code {backend: vaultwarden, hang: true}}: a backend and exactly one fault, with its value. */
    private static RouteTableFile.RouteFault fault(YamlNode node, String path) {
        requireMap(node, path);
        List<String> kinds = new ArrayList<>();
        node.map().forEach((key, value) -> {
            if (!key.equals("backend")) {
                if (FaultSpecs.kind(key).isEmpty()) {
                    throw new ProxyStageException(value.location() + ": unknown key '" + key + "' in " + path
                            + " (known: backend and one of " + String.join(", ", Fault.KINDS) + ")");
                }
                kinds.add(key);
            }
        });
        String backend = optionalString(node, "backend", path).filter(b -> !b.isBlank()).orElseThrow(() ->
                new ProxyStageException(node.location() + ": " + path + " needs the backend to break, e.g. {backend: vaultwarden, hang: true}"));
        if (kinds.size() != 1) {
            throw new ProxyStageException(node.location() + ": " + path + " needs exactly one fault (one of "
                    + String.join(", ", Fault.KINDS) + "), got " + (kinds.isEmpty() ? "none" : String.join(", ", kinds)));
        }
        String kind = kinds.get(0);
        YamlNode value = node.map().get(kind);
        try {
            return new RouteTableFile.RouteFault(backend, FaultSpecs.parse(kind, value == null || value.isNull()
                    ? Optional.empty() : Optional.of(scalar(value, path + "." + kind))), node.location());
        } catch (IllegalArgumentException e) {
            throw new ProxyStageException((value == null ? node : value).location() + ": " + path + "." + kind + ": " + e.getMessage());
        }
    }

    /**
     * {@code differs: <why>}: the stage answers this route differently on purpose. The reason is required (a bare
     * {@code true} says nothing to whoever reads the gate's verdict) and is one line, as the report prints it.
     */
    private static String reason(YamlNode node, String path) {
        if (!(node.value() instanceof String text)) {
            throw new ProxyStageException(node.location() + ": " + path + " must be one line saying why the stage differs,"
                    + " not a " + (node.isMap() ? "map" : node.isList() ? "list" : "null"));
        }
        String reason = text.strip();
        if (reason.isEmpty() || reason.equals("true") || reason.equals("false")) {
            throw new ProxyStageException(node.location() + ": " + path + " must say why the stage differs on purpose"
                    + " (e.g. differs: \"prep runs the new login page\"), got '" + text + "'");
        }
        if (reason.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new ProxyStageException(node.location() + ": " + path + " must be one line (no CR, LF or NUL)");
        }
        return reason;
    }

    private static RouteTableFile.Request request(YamlNode node, String path) {
        if (node.value() instanceof String shorthand) {
            var m = SHORTHAND.matcher(shorthand.strip());
            if (!m.matches()) {
                throw new ProxyStageException(node.location() + ": " + path + " must be \"METHOD url\" or a map, got '" + shorthand + "'");
            }
            return new RouteTableFile.Request(method(m.group(1), node, path), url(m.group(2), node, path), Map.of(), Optional.empty());
        }
        requireMap(node, path);
        checkKeys(node, path, REQUEST_KEYS);
        YamlNode urlNode = node.map().get("url");
        if (urlNode == null || urlNode.isNull()) {
            throw new ProxyStageException(node.location() + ": " + path + " has no url");
        }
        String method = optionalString(node, "method", path).map(m -> method(m, node.map().get("method"), path + ".method")).orElse("GET");
        return new RouteTableFile.Request(method, url(scalar(urlNode, path + ".url"), urlNode, path + ".url"),
                headers(node.map().get("headers"), path + ".headers", true), optionalString(node, "body", path));
    }

    private static RouteTableFile.Expect expect(YamlNode node, String path) {
        if (node == null || node.isNull()) {
            return new RouteTableFile.Expect(Optional.empty(), List.of(), "", Optional.empty(), Map.of(), Map.of(), false);
        }
        checkKeys(node, path, EXPECT_KEYS);
        Optional<Integer> status = optionalString(node, "status", path).map(s -> {
            try {
                int value = Integer.parseInt(s);
                if (value >= 100 && value <= 599) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ProxyStageException(node.map().get("status").location() + ": " + path + ".status must be an HTTP status (100-599), got '" + s + "'");
        });
        YamlNode backendNode = node.map().get("backend");
        Optional<String> redirect = optionalString(node, "redirect", path);
        Map<String, String> headers = headers(node.map().get("headers"), path + ".headers", false);
        headers.forEach((name, value) -> {
            if (value.startsWith("~")) {
                try {
                    Pattern.compile(value.substring(1));
                } catch (PatternSyntaxException e) {
                    throw new ProxyStageException(node.map().get("headers").map().get(name).location() + ": " + path + ".headers."
                            + name + " is not a valid regular expression: " + e.getDescription());
                }
            }
        });
        YamlNode websocket = node.map().get("websocket");
        return new RouteTableFile.Expect(status, backends(backendNode, path + ".backend"),
                backendNode == null ? "" : backendNode.location(), redirect, headers,
                headers(node.map().get("forwardedHeaders"), path + ".forwardedHeaders", false),
                websocket != null && bool(scalar(websocket, path + ".websocket"), websocket, path + ".websocket"));
    }

    /** {@code backend: name}, or {@code backend: [a, b]}: one of several answers (an upstream's servers). */
    private static List<String> backends(YamlNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isList()) {
            return List.of(scalar(node, path));
        }
        List<String> names = new ArrayList<>();
        for (YamlNode item : node.list()) {
            String name = scalar(item, path + "[]");
            if (name.isBlank() || names.contains(name)) {
                throw new ProxyStageException(item.location() + ": " + path + " lists backends that may answer, each"
                        + " once: " + (name.isBlank() ? "an empty name" : "'" + name + "' twice"));
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new ProxyStageException(node.location() + ": " + path + " is an empty list: name the backends that"
                    + " may answer, or leave backend out");
        }
        return names;
    }

    private static String method(String text, YamlNode node, String path) {
        String method = text.toUpperCase(Locale.ROOT);
        if (!METHOD.matcher(method).matches()) {
            throw new ProxyStageException(node.location() + ": " + path + " is not an HTTP method: '" + text + "'");
        }
        return method;
    }

    private static String url(String text, YamlNode node, String path) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("ws://") || lower.startsWith("wss://"))
                || HttpUrl.parse(text.replaceFirst("^(?i)ws", "http")) == null) {
            throw new ProxyStageException(node.location() + ": " + path + " must be an absolute http(s) or ws(s) URL, got '" + text + "'");
        }
        return text;
    }

    /**
     * Header fields as HTTP has them (RFC 9110 §5): a name is a token; a value carries no CR, LF or NUL, which would
     * split or end the field. A header the client sends ({@code sent}) is also what OkHttp can put on the wire:
     * visible ASCII, spaces and tabs.
     */
    private static Map<String, String> headers(YamlNode node, String path, boolean sent) {
        Map<String, String> headers = stringMap(node, path);
        headers.forEach((name, value) -> {
            YamlNode where = node.map().get(name);
            if (!TOKEN.matcher(name).matches()) {
                throw new ProxyStageException(where.location() + ": " + path + ": '" + printable(name) + "' is not a header"
                        + " name; RFC 9110 allows letters, digits and !#$%&'*+-.^_`|~ (no spaces, colons or control"
                        + " characters)");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new ProxyStageException(where.location() + ": " + path + "." + name + " carries "
                            + (c == 0 ? "NUL" : c == '\r' ? "CR" : "LF") + " at character " + (i + 1)
                            + "; RFC 9110 allows no CR, LF or NUL in a field value (it would split the header)");
                }
                if (sent && c != '\t' && (c < 0x20 || c > 0x7e)) {
                    throw new ProxyStageException(where.location() + ": " + path + "." + name + " carries "
                            + String.format("U+%04X", (int) c) + " at character " + (i + 1) + "; the client sends header"
                            + " values of visible ASCII, spaces and tabs only");
                }
            }
        });
        return headers;
    }

    /** A name as the message shows it: control characters escaped, so the message stays one line. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static Map<String, String> stringMap(YamlNode node, String path) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        requireMap(node, path);
        Map<String, String> values = new LinkedHashMap<>();
        node.map().forEach((key, value) -> values.put(key, scalar(value, path + "." + key)));
        return Map.copyOf(values);
    }

    private static Optional<String> optionalString(YamlNode node, String key, String path) {
        YamlNode value = node.map().get(key);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(scalar(value, path + "." + key));
    }

    private static String scalar(YamlNode node, String path) {
        if (!(node.value() instanceof String text)) {
            throw new ProxyStageException(node.location() + ": " + path + " must be a single value, not a "
                    + (node.isMap() ? "map" : node.isList() ? "list" : "null"));
        }
        return text;
    }

    private static boolean bool(String text, YamlNode node, String path) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ProxyStageException(node.location() + ": " + path + " must be true or false, got '" + text + "'");
        };
    }

    private static void requireMap(YamlNode node, String path) {
        if (!node.isMap()) {
            throw new ProxyStageException(node.location() + ": " + path + " must be a map");
        }
    }

    private static void checkKeys(YamlNode node, String path, Set<String> allowed) {
        node.map().forEach((key, value) -> {
            if (!allowed.contains(key)) {
                throw new ProxyStageException(value.location() + ": unknown key '" + key + "' in " + path
                        + " (known: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        });
    }
}
