package dev.proxystage;

/**
 * A failure caused by the user's input or environment: a bad pipeline.yml, a broken conf.d, a missing image,
 * an unreachable Docker engine. Its message is the whole story, one line, with {@code file:line} where a file is
 * involved, so it carries no stack trace of ProxyStage's internals.
 */
public class ProxyStageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProxyStageException(String message) {
        super(message, null, false, false);
    }

    public ProxyStageException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
