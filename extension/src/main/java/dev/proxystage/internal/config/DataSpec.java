package dev.proxystage.internal.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A backend's data for one stage.
 *
 * @param mount     the container path, e.g. {@code /data}
 * @param hostDir   a host directory to mount instead of a fresh volume: {@code hostPath}, or
 *                  {@code <DATA_ROOT>/<backend>-<stage>} when the data persists across runs
 * @param seedFrom  a directory copied into fresh data before the backend starts (a copy, never a mount)
 * @param readOnly  mount read-only (the default for a {@code hostPath}, and for any data of the prod stage)
 */
public record DataSpec(String mount, Optional<Path> hostDir, Optional<Path> seedFrom, boolean readOnly) {

    /** True when the data outlives the run (a host directory rather than a fresh volume). */
    public boolean persists() {
        return hostDir.isPresent();
    }
}
