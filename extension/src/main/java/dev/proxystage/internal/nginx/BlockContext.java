package dev.proxystage.internal.nginx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What one http or stream block defines for everything inside it. */
final class BlockContext {

    final boolean stream;
    final Map<String, Upstream> upstreams = new HashMap<>();
    final Map<String, Map<String, Directive>> variables = new HashMap<>();
    List<FileRef> certificates = List.of();
    List<FileRef> certificateKeys = List.of();

    BlockContext(boolean stream) {
        this.stream = stream;
    }
}
