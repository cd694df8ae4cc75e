package dev.proxystage.internal.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxystage.internal.nginx.Problem.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code check}'s findings as a SARIF 2.1.0 log, for code scanning in CI: one run of the tool {@code proxystage},
 * one result per printed line, with the rule its finding was given where it was made, its level, and its
 * {@code file:line[:column]} relative to the project (the directory {@code check} ran in, {@code %SRCROOT%}).
 */
public final class SarifReport {

    static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern LOCATED = Pattern.compile("^(.+?):(\\d+)(?::(\\d+))?: (.*)$", Pattern.DOTALL);
    private static final Pattern FILE_ONLY = Pattern.compile("^([^\\s:]+\\.[A-Za-z0-9]+|[^\\s:]*/[^\\s:]*): (.*)$",
            Pattern.DOTALL);

    /**
     * One finding: {@code file:line: message} or {@code file:line: warning: message}, and its rule, given where the
     * finding was made.
     */
    public record Finding(boolean error, Rule rule, String text) {
    }

    private SarifReport() {
    }

    /** The SARIF log of {@code findings}; paths under {@code projectRoot} become relative to it. */
    public static String of(List<Finding> findings, Path projectRoot, Optional<String> toolVersion) {
        Path root = projectRoot.toAbsolutePath().normalize();
        ObjectNode log = JSON.createObjectNode();
        log.put("$schema", SCHEMA);
        log.put("version", "2.1.0");
        ObjectNode run = log.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "proxystage");
        toolVersion.ifPresent(v -> driver.put("version", v));
        // Every rule the checks know, so a rule id means the same in every log; results point at theirs by index.
        Map<Rule, Integer> ruleIndex = new LinkedHashMap<>();
        ArrayNode rules = driver.putArray("rules");
        for (Rule rule : Rule.values()) {
            ruleIndex.put(rule, ruleIndex.size());
            ObjectNode r = rules.addObject();
            r.put("id", rule.id());
            r.put("name", camel(rule.id()));
            r.putObject("shortDescription").put("text", rule.description());
        }
        String base = root.toUri().toString();
        // A base URI ends with "/" (SARIF 3.14.14); Path.toUri adds it only for a directory that exists.
        run.putObject("originalUriBaseIds").putObject("%SRCROOT%").put("uri", base.endsWith("/") ? base : base + "/");
        ArrayNode results = run.putArray("results");
        for (Finding f : findings) {
            Parsed p = parse(f.text());
            ObjectNode result = results.addObject();
            result.put("ruleId", f.rule().id());
            result.put("ruleIndex", ruleIndex.get(f.rule()));
            result.put("level", f.error() ? "error" : "warning");
            result.putObject("message").put("text", p.message());
            p.file().ifPresent(file -> {
                ObjectNode physical = result.putArray("locations").addObject().putObject("physicalLocation");
                physical.putObject("artifactLocation").put("uri", uri(file, root)).put("uriBaseId", "%SRCROOT%");
                if (p.line() > 0) {
                    ObjectNode region = physical.putObject("region").put("startLine", p.line());
                    if (p.column() > 0) {
                        region.put("startColumn", p.column());
                    }
                }
            });
        }
        run.put("columnKind", "unicodeCodePoints");
        try {
            return JSON.writeValueAsString(log) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A finding's parts; {@code line} 0 when it names a file only, {@code file} empty when it names none. */
    record Parsed(Optional<String> file, int line, int column, String message) {
    }

    static Parsed parse(String text) {
        Matcher m = LOCATED.matcher(text);
        String message;
        if (m.matches()) {
            message = stripWarning(m.group(4));
            return new Parsed(Optional.of(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), message);
        }
        Matcher f = FILE_ONLY.matcher(text);
        if (f.matches()) {
            return new Parsed(Optional.of(f.group(1)), 0, 0, stripWarning(f.group(2)));
        }
        return new Parsed(Optional.empty(), 0, 0, stripWarning(text));
    }

    private static String stripWarning(String message) {
        return message.startsWith(CheckFinding.WARNING) ? message.substring(CheckFinding.WARNING.length()) : message;
    }

    /** The path as a relative URI when it is under the project, else as an absolute {@code file:} URI. */
    static String uri(String file, Path root) {
        try {
            Path path = Path.of(file);
            Path absolute = (path.isAbsolute() ? path : root.resolve(path)).normalize();
            if (absolute.startsWith(root)) {
                StringBuilder uri = new StringBuilder();
                for (Path part : root.relativize(absolute)) {
                    if (uri.length() > 0) {
                        uri.append('/');
                    }
                    uri.append(encode(part.toString()));
                }
                return uri.toString();
            }
            return absolute.toUri().toString();
        } catch (InvalidPathException e) {
            return encode(file);
        }
    }

    private static String encode(String segment) {
        StringBuilder out = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    private static String camel(String id) {
        StringBuilder out = new StringBuilder();
        for (String part : id.split("-")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }
}
