package dev.proxystage.internal.nginx;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a host directory that is copied into a container (conf.d, nginx.files, a data seed) before anything reads or
 * copies it: the copy follows symlinks, so a symlink loop would never end and a dangling one would fail midway.
 * The walk is iterative and visits each real directory once.
 */
public final class HostTree {

    /** A conf.d is a few hundred files; a tree far beyond that is not a configuration directory. */
    static final int MAX_ENTRIES = 100_000;

    private HostTree() {
    }

    /** @throws NginxConfigException naming the entry: a symlink loop, a dangling symlink, or a tree too large */
    public static void check(Path root) {
        check(root, null);
    }

    /**
     * As {@link #check(Path)}, and every symlink under {@code root} must lead into {@code trees} (when not null): a
     * link out of them would have a file from elsewhere on the host read, fingerprinted and copied into the container.
     */
    static void check(Path root, ProjectTrees trees) {
        if (!Files.isDirectory(root)) {
            return; // a single file, or reported by whoever needs the directory
        }
        record Visit(Path path, List<Path> ancestors) {
        }
        Set<Path> seen = new HashSet<>();
        Deque<Visit> pending = new ArrayDeque<>();
        pending.push(new Visit(root, List.of()));
        int entries = 0;
        while (!pending.isEmpty()) {
            Visit visit = pending.pop();
            Path real = realPath(visit.path());
            if (visit.ancestors().contains(real)) {
                throw new NginxConfigException(visit.path(), 0, "symlink loop: it leads back to " + real
                        + ", which contains it; nginx and the copy into the container would follow it forever");
            }
            if (!seen.add(real)) {
                continue; // a second link to a directory already checked
            }
            List<Path> ancestors = new ArrayList<>(visit.ancestors());
            ancestors.add(real);
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(visit.path())) {
                for (Path entry : stream) {
                    if (++entries > MAX_ENTRIES) {
                        throw new NginxConfigException(root, 0, "more than " + MAX_ENTRIES + " entries; this is not"
                                + " a configuration directory");
                    }
                    if (Files.isSymbolicLink(entry) && !Files.exists(entry)) {
                        throw new NginxConfigException(entry, 0, "dangling symlink (to " + linkTarget(entry)
                                + ", which does not exist); the copy into the container would fail on it");
                    }
                    if (trees != null && Files.isSymbolicLink(entry)) {
                        trees.checkLink(entry, realPath(entry));
                    }
                    if (Files.isDirectory(entry)) {
                        pending.push(new Visit(entry, List.copyOf(ancestors)));
                    }
                }
            } catch (IOException e) {
                throw new NginxConfigException(visit.path(), 0, "cannot list: " + e.getMessage(), e);
            }
        }
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            // An unresolvable link chain (ELOOP) is a loop too.
            throw new NginxConfigException(path, 0, "cannot resolve (" + e.getClass().getSimpleName()
                    + "): a symlink loop or a link to nowhere");
        }
    }

    static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** True for a symlink whose target does not exist, or that loops (a path that cannot be resolved). */
    static boolean isBrokenLink(Path entry) {
        return Files.isSymbolicLink(entry) && !Files.exists(entry);
    }
}
