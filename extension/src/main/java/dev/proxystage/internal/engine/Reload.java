package dev.proxystage.internal.engine;

import java.util.Optional;

/**
 * What a live reload of a running stage's nginx came to.
 *
 * @param rejection why the new configuration was not applied ({@code file:line: message} with host paths); empty when
 *                  it was applied and answers
 * @param millis    from the start of the reload to the new configuration answering (or to the rejection)
 */
public record Reload(Optional<String> rejection, long millis) {

    public static Reload applied(long millis) {
        return new Reload(Optional.empty(), millis);
    }

    public static Reload rejected(String why, long millis) {
        return new Reload(Optional.of(why), millis);
    }

    public boolean isApplied() {
        return rejection.isEmpty();
    }
}
