package dev.proxystage.internal.runtime;

import dev.proxystage.internal.engine.Engine;
import dev.proxystage.Settings;
import dev.proxystage.internal.docker.DockerStageEngine;

/** The engine a run uses: Docker, none, or (for tests of the glue) a class named by {@code proxystage.engine}. */
final class Engines {

    private Engines() {
    }

    static Engine forSettings(Settings settings) {
        String name = settings.engine();
        if (name.equals("docker")) {
            return new DockerStageEngine(settings.pullStallTimeout(), settings.publishHost());
        }
        if (name.equals(NoEngine.NAME)) {
            return new NoEngine();
        }
        try {
            Class<?> type = Class.forName(name, true, Engines.class.getClassLoader());
            if (!Engine.class.isAssignableFrom(type)) {
                throw Run.unknownEngine(name, "not an engine implementation");
            }
            return (Engine) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw Run.unknownEngine(name, "no such engine (use docker): " + e);
        }
    }
}
