package dev.proxystage.internal.plan;

/** A file the plan places in the nginx container: its bytes and its Unix mode. Engine-neutral. */
public record FileContent(byte[] bytes, int mode) {
}
