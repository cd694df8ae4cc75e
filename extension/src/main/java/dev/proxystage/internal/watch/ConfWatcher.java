package dev.proxystage.internal.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Watches nginx's host files for {@code up --watch}: directories recursively (conf.d, {@code nginx.files}), single
 * files by their parent (the main nginx.conf). An editor's save is several events (a temp file, a rename, a
 * write); they are gathered until {@link #QUIET_MILLIS} pass without one, and reported as one change.
 */
final class ConfWatcher implements AutoCloseable {

    static final long QUIET_MILLIS = 50;

    private final WatchService service;
    private final Map<WatchKey, Path> recursive = new ConcurrentHashMap<>();
    private final Map<WatchKey, Set<Path>> single = new ConcurrentHashMap<>();
    private final Thread thread;

    /** Calls {@code onChange} on its own thread with the changed paths, one call per settled edit. */
    ConfWatcher(List<Path> directories, List<Path> files, Consumer<Set<Path>> onChange) {
        try {
            service = FileSystems.getDefault().newWatchService();
            for (Path dir : directories) {
                registerTree(dir.toAbsolutePath().normalize());
            }
            for (Path file : files) {
                Path absolute = file.toAbsolutePath().normalize();
                WatchKey key = absolute.getParent().register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
                single.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(absolute);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + directories + " " + files + ": " + e.getMessage(), e);
        }
        thread = new Thread(() -> loop(onChange), "proxystage-up-watch");
        thread.setDaemon(true);
    }

    ConfWatcher start() {
        thread.start();
        return this;
    }

    private void registerTree(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.walk(root)) {
            for (Path dir : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                recursive.put(dir.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), dir);
            }
        }
    }

    private void loop(Consumer<Set<Path>> onChange) {
        try {
            while (true) {
                Set<Path> changed = new LinkedHashSet<>();
                collect(service.take(), changed);
                // Debounce: the edit is settled once the events stop for a moment.
                for (WatchKey more; (more = service.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null; ) {
                    collect(more, changed);
                }
                if (!changed.isEmpty()) {
                    onChange.accept(changed);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private void collect(WatchKey key, Set<Path> changed) {
        Path dir = recursive.get(key);
        Set<Path> files = single.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                if (dir != null) {
                    changed.add(dir);
                }
                continue;
            }
            Path base = dir != null ? dir : files != null ? key.watchable() instanceof Path p ? p : null : null;
            if (base == null) {
                continue;
            }
            Path path = base.resolve((Path) event.context());
            if (editorScratch(path)) {
                continue;
            }
            if (dir != null) {
                if (event.kind() == ENTRY_CREATE && Files.isDirectory(path)) {
                    try {
                        registerTree(path);
                    } catch (IOException e) {
                        // a directory that vanished at once: nothing to watch
                    }
                }
                changed.add(path);
            } else if (files.contains(path)) {
                changed.add(path);
            }
        }
        if (!key.reset()) {
            recursive.remove(key);
        }
    }

    /** An editor's swap or backup file, never part of the configuration nginx reads. */
    static boolean editorScratch(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".swx") || name.startsWith(".#")
                || name.equals("4913");
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            service.close();
        } catch (IOException e) {
            // nothing more to watch either way
        }
    }
}
