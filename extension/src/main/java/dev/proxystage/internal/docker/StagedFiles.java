package dev.proxystage.internal.docker;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.testcontainers.images.builder.Transferable;

/**
 * Many files and directories for one container, sent as ONE archive: each copy into a container is a round trip
 * to the engine, and a stage's nginx needs conf.d, its certificates, snippets and scripts.
 */
final class StagedFiles implements Transferable {

    private final Map<String, Transferable> entries = new LinkedHashMap<>();

    /** Adds {@code content} (a file, or a directory from {@code MountableFile}) at the absolute {@code path}. */
    StagedFiles add(String path, Transferable content) {
        entries.put(path, content);
        return this;
    }

    @Override
    public long getSize() {
        return entries.values().stream().mapToLong(Transferable::getSize).sum();
    }

    /** Writes every entry at its own path; the destination Testcontainers passes is the archive's root, "/". */
    @Override
    public void transferTo(TarArchiveOutputStream tar, String destination) {
        entries.forEach((path, content) -> content.transferTo(tar, path));
    }

    @Override
    public String getDescription() {
        return "staged files " + entries.keySet();
    }
}
