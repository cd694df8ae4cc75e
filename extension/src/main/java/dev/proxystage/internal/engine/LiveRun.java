package dev.proxystage.internal.engine;

import java.util.List;

/**
 * A run on the engine whose JVM is still alive on this machine.
 *
 * @param up         whether that JVM is the command line's {@code up} (else a test JVM), judged by its command line; a
 *                   command line the OS does not show counts as {@code up}, so a stage is never started twice by mistake
 * @param containers the run's containers, by name
 */
public record LiveRun(String runId, String stage, long pid, boolean up, List<String> containers) {
}
