package dev.proxystage.internal.runtime;

import java.util.UUID;

/** Run ids: 8 random hex digits, part of every container, network and volume name. Made here only. */
public final class RunIds {

    private RunIds() {
    }

    public static String next() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }
}
