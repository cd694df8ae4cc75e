package dev.proxystage.internal.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host directories a stage's nginx configuration may come from: conf.d, each {@code nginx.files} directory and
 * the main config's directory, as they resolve through symlinks. A file that resolves outside them (a conf.d entry
 * linked to {@code /etc/shadow}, an include reaching through a linked directory) is refused before a byte of it is
 * read, with one line that names the link and its target and nothing of the content.
 */
final class ProjectTrees {

    private final List<Path> roots;

    private ProjectTrees(List<Path> roots) {
        this.roots = roots;
    }

    static ProjectTrees of(ParseRequest request) {
        List<Path> roots = new ArrayList<>();
        add(roots, request.confD());
        request.files().values().forEach(dir -> add(roots, dir));
        request.mainConf().ifPresent(main -> add(roots, main.toAbsolutePath().normalize().getParent()));
        return new ProjectTrees(List.copyOf(roots));
    }

    private static void add(List<Path> roots, Path dir) {
        if (dir == null) {
            return;
        }
        try {
            roots.add(dir.toAbsolutePath().normalize().toRealPath());
        } catch (IOException e) {
            // A directory that does not exist holds nothing to read; whoever needs it says so.
        }
    }

    boolean contains(Path real) {
        for (Path root : roots) {
            if (real.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    /** A symlink met while walking a tree: {@code real} is where it leads. */
    void checkLink(Path link, Path real) {
        if (!contains(real)) {
            throw new NginxConfigException(link, 0, "symlink to " + target(link, real) + ", " + OUTSIDE);
        }
    }

    /**
     * A file about to be parsed: the main config, or what an include names ({@code include} null for the main
     * config and conf.d's own entries, which are reported at themselves).
     */
    void checkRead(Path file, Directive include) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            return; // the read that follows reports it
        }
        if (contains(real)) {
            return;
        }
        String how = Files.isSymbolicLink(file) ? "is a symlink to " + target(file, real)
                : "resolves through a symlink to " + real;
        if (include == null) {
            throw new NginxConfigException(file, 0, how + ", " + OUTSIDE);
        }
        throw new NginxConfigException(include.file(), include.line(), "include reads " + file + ", which " + how
                + ", " + OUTSIDE);
    }

    /** The link's target as written, and where it resolves when that differs (a relative or chained link). */
    private static String target(Path link, Path real) {
        String written = HostTree.linkTarget(link);
        return Path.of(written).equals(real) ? written : written + " (" + real + ")";
    }

    private static final String OUTSIDE = "outside the project's trees (conf.d, the nginx.files directories, the main"
            + " config's directory); nothing from elsewhere on the host is read or copied into the container (copy the"
            + " file in, or map its directory via nginx.files)";
}
