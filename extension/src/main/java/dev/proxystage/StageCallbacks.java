package dev.proxystage;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The per-test callbacks both extensions share; they differ only in how a test's stage is named. Holds no state:
 * everything lives in the store, through {@link StageAccess}.
 */
abstract class StageCallbacks implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler,
        ParameterResolver {

    /** The settings of this context's test. */
    Settings settings(ExtensionContext context) {
        return StageAccess.settings(context);
    }

    /** The stage this context's test uses. */
    abstract String stageName(ExtensionContext context);

    final Stage stage(ExtensionContext context) {
        return StageAccess.stage(context, settings(context), stageName(context));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        StageAccess.testStarted(context, settings(context), stageName(context));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        StageAccess.testFinished(context, stage(context));
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        StageAccess.attachDiagnostics(context, stage(context), failure);
        throw failure;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return StageAccess.isInjectable(parameter);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return StageAccess.inject(parameter, stage(context));
    }
}
