package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Collections;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.scanner.ScannerImpl;
import org.yaml.snakeyaml.tokens.ScalarToken;
import org.yaml.snakeyaml.tokens.Token;

/**
 * Reads one YAML file into a {@link YamlNode} tree with SnakeYAML's composer, which keeps line numbers. The limits
 * keep a hostile or broken file from taking the heap, the stack or minutes: each is checked before the work it bounds.
 */
final class YamlLoader {

    /** A pipeline file is a few kilobytes; anything this large is not one, and SnakeYAML is slow on huge scalars. */
    static final int MAX_BYTES = 256 * 1024;
    /** Values after alias expansion: aliases may share a subtree, but not multiply it. */
    static final int MAX_VALUES = 10_000;
    /** Nesting after alias expansion; pipeline.yml needs about six levels. */
    static final int MAX_DEPTH = 32;

    /**
     * What one kind of file may hold, each limit checked before the work it bounds.
     *
     * @param kind       what the file is, for messages ("a pipeline file")
     * @param maxBytes   the file's size, checked before parsing (and SnakeYAML's code point limit)
     * @param maxValues   values in the document, each alias counted as the values it repeats
     * @param maxRepeated values that aliases repeat: an alias bomb is small on disk and huge once expanded
     * @param maxAliases  aliases of collections (SnakeYAML's own limit)
     */
    record Limits(String kind, int maxBytes, int maxValues, int maxRepeated, int maxAliases) {
    }

    /** pipeline.yml and its overlay: a few kilobytes, a few hundred values. */
    static final Limits PIPELINE = new Limits("a pipeline file", MAX_BYTES, MAX_VALUES, MAX_VALUES, 50);

    private YamlLoader() {
    }

    static YamlNode load(Path file) {
        return load(file, PIPELINE, null);
    }

    static YamlNode load(Path file, Limits limits) {
        return load(file, limits, null);
    }

    static YamlNode load(Path file, LoadSources.Reading reading) {
        return load(file, PIPELINE, reading);
    }

    /** Reads {@code file} within {@code limits}; {@code reading} (may be null) gets the exact bytes parsed. */
    static YamlNode load(Path file, Limits limits, LoadSources.Reading reading) {
        checkReadable(file, limits);
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(limits.maxAliases());
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(limits.maxBytes());
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ProxyStageException("pipeline configuration not found: " + file.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new ProxyStageException(file + ": cannot read: " + e.getMessage());
        }
        if (reading != null) {
            reading.file(file, content);
        }
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(content), decoder)) {
            // What Yaml.compose does, without the Yaml facade: its constructor and representer, which only
            // loading Java objects needs, cost a fresh JVM tens of milliseconds of class loading.
            Node root = new Composer(new ParserImpl(new StreamReader(reader), options), new Resolver(), options).getSingleNode();
            if (root == null) {
                return new YamlNode(new LinkedHashMap<String, YamlNode>(), file, 1, 1);
            }
            return new Converter(file, limits).convert(root, "", 0);
        } catch (MarkedYAMLException e) {
            Token runaway = runawayQuote(content, e);
            if (runaway != null) {
                throw new ProxyStageException(at(file, runaway.getStartMark()) + ": YAML syntax error: the quoted value that opens "
                        + "here is not closed on its line and runs on to line " + (runaway.getEndMark().getLine() + 1)
                        + " (is a closing quote missing?); there: " + oneLine(problem(e)));
            }
            throw new ProxyStageException(where(file, e) + ": YAML syntax error: " + oneLine(problem(e)));
        } catch (ReaderException e) {
            throw new ProxyStageException(position(file, e.getPosition()) + ": character U+"
                    + String.format("%04X", e.getCodePoint()) + " is not allowed in YAML (a control character)");
        } catch (YAMLException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new ProxyStageException(file + ": not valid UTF-8");
            }
            throw new ProxyStageException(file + ": YAML error: " + oneLine(String.valueOf(e.getMessage())));
        } catch (CharacterCodingException e) {
            throw new ProxyStageException(file + ": not valid UTF-8");
        } catch (IOException e) {
            throw new ProxyStageException(file + ": cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // SnakeYAML turns a double-quoted \\U escape into a code point with Integer.parseInt and Character.toChars,
            // and lets their exceptions out for one beyond Unicode (\\UFFFFFFFF).
            throw new ProxyStageException(badEscape(file, new String(content, StandardCharsets.UTF_8))
                    + ": YAML syntax error: an escape in a double-quoted value is not a Unicode character"
                    + " (\\x takes 2 hex digits, \\u 4, \\U 8, at most 10FFFF)");
        }
    }

    private static final Pattern BAD_ESCAPE = Pattern.compile(
            "\\\\U(?!00(?:0[0-9A-Fa-f]|10)[0-9A-Fa-f]{4})");

    /** {@code file:line:column} of the first {@code \\U} escape beyond Unicode, else the file. */
    static String badEscape(Path file, String text) {
        Matcher m = BAD_ESCAPE.matcher(text);
        if (!m.find()) {
            return file.toString();
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < m.start(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return file + ":" + line + ":" + (m.start() - lineStart + 1);
    }

    /** A directory, a device or an oversized file is refused before a byte is parsed. */
    static void checkReadable(Path file) {
        checkReadable(file, PIPELINE);
    }

    static void checkReadable(Path file, Limits limits) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new ProxyStageException("pipeline configuration not found: " + absolute);
        }
        if (Files.isDirectory(absolute)) {
            throw new ProxyStageException(absolute + ": is a directory, not a pipeline file");
        }
        if (!Files.isRegularFile(absolute)) {
            throw new ProxyStageException(absolute + ": is not a regular file (a device or pipe cannot be a pipeline file)");
        }
        try {
            long size = Files.size(absolute);
            if (size > limits.maxBytes()) {
                throw new ProxyStageException(absolute + ": " + size + " bytes, more than the " + size(limits.maxBytes())
                        + " " + limits.kind() + " may have");
            }
        } catch (IOException e) {
            throw new ProxyStageException(absolute + ": cannot read: " + e.getMessage());
        }
    }

    private static String size(int bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }

    /**
     * An unclosed quote or bracket is reported where it opens, not where the parser gave up: a quoted scalar the
     * scanner could not finish and a flow collection cut off by the end of the file carry the opening in their
     * context mark.
     */
    private static String where(Path file, MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext();
        // Inside a quote, a problem on the quote's own line (a bad escape) is placed where it is; one on a later line
        // (end of stream, a document separator, a bad escape in swallowed lines) comes from the quote left open.
        boolean inQuote = context.contains("quoted scalar") && e.getContextMark() != null && e.getProblemMark() != null
                && e.getProblemMark().getLine() != e.getContextMark().getLine();
        boolean atEnd = problem.contains("end of stream") || problem.contains("<stream end>") && context.contains("flow");
        Mark mark = (inQuote || atEnd) && e.getContextMark() != null ? e.getContextMark()
                : e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        return mark == null ? file.toString() : at(file, mark);
    }

    private static String at(Path file, Mark mark) {
        return file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }

    /** A line inside a runaway quoted value that is really YAML structure: a key or a list item. */
    private static final Pattern STRUCTURE = Pattern.compile("\\s*(- |[\\w.$/-]+\\s*:(\\s|$))");

    /**
     * The quoted value that swallowed the lines up to an error, when there is one. A quote left open on line 12 makes
     * the scanner read on to the next quote character (line 24, say) and the parser fail there; the cause is the opening
     * quote. Blamed only when the error follows a quoted value that spans lines and either ends on the error's line or
     * swallowed lines that look like keys or list items: a deliberate multi-line quoted value does neither.
     */
    private static Token runawayQuote(byte[] content, MarkedYAMLException e) {
        Mark problem = e.getProblemMark();
        String context = e.getContext() == null ? "" : e.getContext();
        if (problem == null || context.contains("quoted scalar")) {
            return null;
        }
        String text = new String(content, StandardCharsets.UTF_8);
        ScalarToken last = null;
        try {
            ScannerImpl scanner = new ScannerImpl(new StreamReader(text), new LoaderOptions());
            while (scanner.checkToken()) {
                Token token = scanner.getToken();
                if (token.getStartMark().getIndex() >= problem.getIndex()) {
                    break;
                }
                if (token instanceof ScalarToken scalar && (scalar.getStyle() == ScalarStyle.DOUBLE_QUOTED
                        || scalar.getStyle() == ScalarStyle.SINGLE_QUOTED)
                        && scalar.getStartMark().getLine() != scalar.getEndMark().getLine()) {
                    last = scalar;
                }
            }
        } catch (YAMLException stop) {
            // The scanner's own error: the tokens before it are all there is to judge.
        }
        if (last == null) {
            return null;
        }
        if (last.getEndMark().getLine() == problem.getLine()) {
            return last;
        }
        int[] codePoints = text.codePoints().toArray();
        String swallowed = new String(codePoints, last.getStartMark().getIndex(),
                Math.min(codePoints.length, last.getEndMark().getIndex()) - last.getStartMark().getIndex());
        return swallowed.lines().skip(1).anyMatch(line -> STRUCTURE.matcher(line).lookingAt()) ? last : null;
    }

    private static String problem(MarkedYAMLException e) {
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        return problem + (e.getContext() != null ? " (" + e.getContext() + ")" : "");
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** {@code file:line:column} of a code point offset, for errors SnakeYAML's reader gives only an offset for. */
    private static String position(Path file, int codePointOffset) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int line = 1;
            int column = 1;
            int index = 0;
            for (int cp = 0; cp < codePointOffset && index < text.length(); cp++) {
                int c = text.codePointAt(index);
                index += Character.charCount(c);
                if (c == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return file + ":" + line + ":" + column;
        } catch (IOException | RuntimeException e) {
            return file.toString();
        }
    }

    /** Copies SnakeYAML's node graph into YamlNodes, counting values and refusing cycles. */
    private static final class Converter {
        private final Path file;
        private final Limits limits;
        private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Collections already converted once: meeting one again is an alias repeating it. */
        private final Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        private int values;
        private int repeated;
        /** How many repeated collections the value being converted is inside. */
        private int repeating;
        private boolean repeats;

        Converter(Path file, Limits limits) {
            this.file = file;
            this.limits = limits;
        }

        YamlNode convert(Node node, String path, int depth) {
            int line = node.getStartMark().getLine() + 1;
            int column = node.getStartMark().getColumn() + 1;
            boolean repeat = !(node instanceof ScalarNode) && !seen.add(node);
            if (repeat) {
                repeats = true;
                repeating++;
            }
            try {
                return convertCounted(node, path, depth, line, column);
            } finally {
                if (repeat) {
                    repeating--;
                }
            }
        }

        /** {@code file:line:column}, built only for a message: a large table has millions of values. */
        private String at(int line, int column) {
            return file + ":" + line + ":" + column;
        }

        private YamlNode convertCounted(Node node, String path, int depth, int line, int column) {
            if (repeating > 0 && ++repeated > limits.maxRepeated()) {
                throw new ProxyStageException(at(line, column) + ": the document expands to more than " + limits.maxRepeated()
                        + " values through aliases (aliases that repeat aliases multiply); write the values out instead");
            }
            if (++values > limits.maxValues()) {
                // Only aliases make a small file expand; a document without them is merely large.
                throw new ProxyStageException(at(line, column) + (repeats
                        ? ": the document expands to more than " + limits.maxValues()
                                + " values (aliases that repeat aliases multiply); write the values out instead"
                        : ": the document has more than " + limits.maxValues() + " values, more than "
                                + limits.kind() + " may have"));
            }
            if (depth > MAX_DEPTH) {
                throw new ProxyStageException(at(line, column) + ": values nested deeper than " + MAX_DEPTH + " levels");
            }
            if (!(node instanceof ScalarNode) && !open.add(node)) {
                throw new ProxyStageException(at(line, column) + ": " + (path.isEmpty() ? "the document" : path)
                        + " is an alias of a value that contains it (a recursive structure)");
            }
            try {
                if (node instanceof MappingNode mapping) {
                    Map<String, YamlNode> map = new LinkedHashMap<>();
                    for (NodeTuple tuple : mapping.getValue()) {
                        Node keyNode = tuple.getKeyNode();
                        int keyLine = keyNode.getStartMark().getLine() + 1;
                        int keyColumn = keyNode.getStartMark().getColumn() + 1;
                        if (!(keyNode instanceof ScalarNode key)) {
                            throw new ProxyStageException(at(keyLine, keyColumn) + ": keys must be plain strings");
                        }
                        String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                        YamlNode previous = map.put(key.getValue(), convert(tuple.getValueNode(), childPath, depth + 1));
                        if (previous != null) {
                            throw new ProxyStageException(at(keyLine, keyColumn) + ": duplicate key '" + key.getValue()
                                    + "' (first at line " + previous.line() + ")");
                        }
                    }
                    return new YamlNode(map, file, line, column, path);
                }
                if (node instanceof SequenceNode sequence) {
                    List<YamlNode> list = new ArrayList<>();
                    for (Node item : sequence.getValue()) {
                        list.add(convert(item, path + "[" + list.size() + "]", depth + 1));
                    }
                    return new YamlNode(list, file, line, column, path);
                }
                ScalarNode scalar = (ScalarNode) node;
                if (Tag.NULL.equals(scalar.getTag())) {
                    return new YamlNode(null, file, line, column, path);
                }
                return new YamlNode(scalar.getValue(), file, line, column, path);
            } finally {
                open.remove(node);
            }
        }
    }
}
