package dev.proxystage.internal.engine;

import java.util.Optional;

/**
 * What looking for a running stage to attach to found: the stage, or why there is none to use.
 *
 * @param stage  the attached stage; closing it stops following its logs and leaves its containers running
 * @param reason why nothing was attached (one line), when {@code stage} is empty; how it was found, when not
 */
public record Attachment(Optional<StageInternals> stage, String reason) {

    /** {@code how}: how the stage was found, for the progress line ({@code by its labels}). */
    public static Attachment attached(StageInternals stage, String how) {
        return new Attachment(Optional.of(stage), how);
    }

    public static Attachment refused(String reason) {
        return new Attachment(Optional.empty(), reason);
    }
}
