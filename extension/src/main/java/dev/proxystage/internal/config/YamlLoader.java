package dev.proxystage.internal.config;

import dev.proxystage.ProxyStageException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads one YAML file into a {@link YamlNode} tree with SnakeYAML's composer, which keeps line numbers. */
final class YamlLoader {

    private YamlLoader() {
    }

    static YamlNode load(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), decoder)) {
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                return new YamlNode(new LinkedHashMap<String, YamlNode>(), file, 1, 1);
            }
            return convert(root, file);
        } catch (NoSuchFileException e) {
            throw new ProxyStageException("pipeline configuration not found: " + file.toAbsolutePath().normalize());
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? file.toString() : file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            throw new ProxyStageException(where + ": YAML syntax error: " + problem + context);
        } catch (YAMLException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new ProxyStageException(file + ": not valid UTF-8");
            }
            throw new ProxyStageException(file + ": YAML error: " + e.getMessage());
        } catch (CharacterCodingException e) {
            throw new ProxyStageException(file + ": not valid UTF-8");
        } catch (IOException e) {
            throw new ProxyStageException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static YamlNode convert(Node node, Path file) {
        int line = node.getStartMark().getLine() + 1;
        int column = node.getStartMark().getColumn() + 1;
        if (node instanceof MappingNode mapping) {
            Map<String, YamlNode> map = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode key)) {
                    throw new ProxyStageException(file + ":" + (keyNode.getStartMark().getLine() + 1) + ":"
                            + (keyNode.getStartMark().getColumn() + 1) + ": keys must be plain strings");
                }
                YamlNode previous = map.put(key.getValue(), convert(tuple.getValueNode(), file));
                if (previous != null) {
                    throw new ProxyStageException(file + ":" + (keyNode.getStartMark().getLine() + 1) + ":"
                            + (keyNode.getStartMark().getColumn() + 1) + ": duplicate key '" + key.getValue()
                            + "' (first at line " + previous.line() + ")");
                }
            }
            return new YamlNode(map, file, line, column);
        }
        if (node instanceof SequenceNode sequence) {
            List<YamlNode> list = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                list.add(convert(item, file));
            }
            return new YamlNode(list, file, line, column);
        }
        ScalarNode scalar = (ScalarNode) node;
        if (Tag.NULL.equals(scalar.getTag())) {
            return new YamlNode(null, file, line, column);
        }
        return new YamlNode(scalar.getValue(), file, line, column);
    }
}
