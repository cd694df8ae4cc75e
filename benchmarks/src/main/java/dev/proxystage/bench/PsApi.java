package dev.proxystage.bench;

import dev.proxystage.internal.config.StageDefinition;
import dev.proxystage.internal.plan.StagePlan;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * How a stage's plan is prepared, whichever of ProxyStage's entry points this build has: {@code
 * StagePlan.prepare(definition)}, or {@code StagePlan.prepare(definition, runResource)} where the run resource (the
 * run's test CA) comes from a static {@code create(String runId)} and is closed after the run, as the extension does
 * with its root store. Looked up reflectively because that API was changing while the harness was written.
 */
final class PsApi {

    private static final Method PREPARE;
    private static final Method CREATE;

    static {
        Method one = null;
        Method two = null;
        Method create = null;
        for (Method m : StagePlan.class.getMethods()) {
            if (!m.getName().equals("prepare") || !Modifier.isStatic(m.getModifiers())
                    || m.getParameterCount() == 0 || m.getParameterTypes()[0] != StageDefinition.class) {
                continue;
            }
            if (m.getParameterCount() == 1) {
                one = m;
            } else if (m.getParameterCount() == 2) {
                try {
                    Method c = m.getParameterTypes()[1].getMethod("create", String.class);
                    if (Modifier.isStatic(c.getModifiers())) {
                        two = m;
                        create = c;
                    }
                } catch (NoSuchMethodException ignored) {
                    // not a run resource we know how to make
                }
            }
        }
        if (one == null && two == null) {
            throw new IllegalStateException("StagePlan has no prepare(StageDefinition) nor prepare(StageDefinition, X) "
                    + "with a static X.create(String runId)");
        }
        PREPARE = one != null ? one : two;
        CREATE = one != null ? null : create;
    }

    private PsApi() {
    }

    /** The entry point in use, for the report. */
    static String describe() {
        return CREATE == null ? "StagePlan.prepare(definition)"
                : "StagePlan.prepare(definition, " + CREATE.getDeclaringClass().getSimpleName() + ".create(runId))";
    }

    /** What one run shares between its stages (the test CA), or null when this build needs none. */
    static Object runResource(String runId) {
        return CREATE == null ? null : invoke(CREATE, runId);
    }

    static StagePlan prepare(StageDefinition definition, Object runResource) {
        return (StagePlan) (CREATE == null ? invoke(PREPARE, definition) : invoke(PREPARE, definition, runResource));
    }

    static void close(Object runResource) {
        if (runResource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + runResource + ": " + e, e);
            }
        }
    }

    private static Object invoke(Method m, Object... args) {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
