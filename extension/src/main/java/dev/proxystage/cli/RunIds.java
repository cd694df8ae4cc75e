package dev.proxystage.cli;

import java.util.UUID;

/** Run ids as the extension makes them: 8 random hex digits, part of every container, network and volume name. */
final class RunIds {

    private RunIds() {
    }

    static String next() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }
}
