package dev.proxystage.internal.engine;

import java.util.Optional;

/**
 * What looking for a running stage to attach to found: the stage, or why there is none to use.
 *
 * @param stage  the attached stage; closing it stops following its logs and leaves its containers running
 * @param reason why nothing was attached (one line), when {@code stage} is empty
 */
public record Attachment(Optional<StageInternals> stage, String reason) {

    public static Attachment attached(StageInternals stage) {
        return new Attachment(Optional.of(stage), "");
    }

    public static Attachment refused(String reason) {
        return new Attachment(Optional.empty(), reason);
    }
}
