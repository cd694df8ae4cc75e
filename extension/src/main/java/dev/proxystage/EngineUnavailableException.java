package dev.proxystage;

/** No container engine answers; with {@code proxystage.skipWithoutDocker=true} stage tests abort instead of failing. */
public class EngineUnavailableException extends ProxyStageException {

    private static final long serialVersionUID = 1L;

    public EngineUnavailableException(String message) {
        super(message);
    }
}
