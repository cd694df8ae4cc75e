package dev.proxystage;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The per-test callbacks both extensions share; they differ only in how a test's stage is named. Holds no state:
 * everything lives in the store, through {@link StageAccess}.
 */
abstract class StageCallbacks implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler,
        ParameterResolver, InvocationInterceptor {

    /** The settings of this context's test. */
    Settings settings(ExtensionContext context) {
        return StageAccess.settings(context);
    }

    /** The stage this context's test uses. */
    abstract String stageName(ExtensionContext context);

    final Stage stage(ExtensionContext context) {
        return StageAccess.stage(context, settings(context), stageName(context));
    }

    /** Whether this instance acts for this context's class; another registration may act instead. */
    boolean acts(ExtensionContext context) {
        return true;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (acts(context)) {
            StageAccess.testStarted(context, settings(context), stageName(context));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (acts(context)) {
            StageAccess.testFinished(context, settings(context), stage(context));
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (acts(context)) {
            StageAccess.attachDiagnostics(context, stage(context), failure);
        }
        throw failure;
    }

    /** Whether this extension is the one that reports on this context's dynamic tests. */
    boolean reportsDynamicTests(ExtensionContext context) {
        return true;
    }

    /**
     * A dynamic test gets no beforeEach and no exception handler of its own (those wrap its factory), so it is
     * marked here and, when it fails, gets the diagnostics of its own requests only.
     */
    @Override
    public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
                                     ExtensionContext context) throws Throwable {
        // A dynamic test's context (and a dynamic container's) has no test class; its factory's has.
        ExtensionContext factory = context;
        while (factory.getTestClass().isEmpty() && factory.getParent().isPresent()) {
            factory = factory.getParent().get();
        }
        if (!acts(factory) || !reportsDynamicTests(factory)) {
            invocation.proceed();
            return;
        }
        Stage stage = stage(factory);
        StageAccess.dynamicTestStarted(context, stage);
        try {
            invocation.proceed();
        } catch (Throwable failure) {
            StageAccess.attachDiagnostics(context, stage, failure);
            StageAccess.testEnded(context, stage, java.util.Optional.of(failure));
            throw failure;
        }
        StageAccess.testEnded(context, stage, java.util.Optional.empty());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return acts(context) && (StageAccess.isInjectable(parameter) || parameter.getParameter().getType() == Settings.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == Settings.class) {
            return settings(context);
        }
        return StageAccess.inject(parameter, stage(context));
    }
}
