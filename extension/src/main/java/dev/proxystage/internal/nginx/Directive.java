package dev.proxystage.internal.nginx;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One nginx directive, as in nginxinc/crossplane's model: its name, its arguments (unquoted and unescaped as nginx
 * reads them), where it was written, and its block if it has one ({@code server { ... }}).
 *
 * <p>Includes are already spliced in: an {@code include} directive is replaced by the directives of the files it
 * names, each keeping its own file and line. The {@code file} is always the host file the user edits.
 *
 * @param name     the directive name, e.g. {@code proxy_pass}
 * @param args     the arguments, without quotes
 * @param file     the host file the directive was read from
 * @param line     the 1-based line of the directive name; 0 for a synthetic directive (the implicit {@code http})
 * @param block    the directives inside the block, empty if there is none
 * @param hasBlock whether the directive was followed by {@code { ... }} (possibly empty)
 * @param close    the line of the "}" that closes its block, where nginx reports what it finds only once a block is
 *                 read (an upstream without servers); the directive's own line for a directive without a block
 */
public record Directive(String name, List<String> args, Path file, int line, List<Directive> block, boolean hasBlock,
                        int close) {

    public Directive {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        args = List.copyOf(args);
        block = List.copyOf(block);
    }

    public Directive(String name, List<String> args, Path file, int line, List<Directive> block, boolean hasBlock) {
        this(name, args, file, line, block, hasBlock, line);
    }

    /** The argument at {@code index}, if present. */
    public Optional<String> arg(int index) {
        return index < args.size() ? Optional.of(args.get(index)) : Optional.empty();
    }

    /** The directives named {@code name} directly inside this block, in order. */
    public List<Directive> children(String childName) {
        List<Directive> found = new ArrayList<>();
        for (Directive child : block) {
            if (child.name.equals(childName)) {
                found.add(child);
            }
        }
        return Collections.unmodifiableList(found);
    }

    /**
     * Every directive of {@code top} and of the blocks inside, in configuration order, the data blocks' entries
     * ({@code map}, {@code types}...) aside. An explicit stack, not recursion: nginx accepts any nesting depth.
     */
    static void walk(List<Directive> top, Consumer<Directive> visit) {
        Deque<Iterator<Directive>> open = new ArrayDeque<>();
        open.push(top.iterator());
        while (!open.isEmpty()) {
            if (!open.peek().hasNext()) {
                open.pop();
                continue;
            }
            Directive d = open.peek().next();
            visit.accept(d);
            if (d.hasBlock() && !Parser.DATA_BLOCKS.contains(d.name())) {
                open.push(d.block().iterator());
            }
        }
    }

    /** {@code file:line}, the way errors point at this directive. */
    public String where() {
        return line > 0 ? file + ":" + line : file.toString();
    }

    // A deep record toString would print whole http blocks; one line is what a message needs.
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name);
        for (String arg : args) {
            text.append(' ').append(arg);
        }
        text.append(hasBlock ? " { " + block.size() + " directives }" : ";");
        return text + " (" + where() + ")";
    }
}
