package dev.proxystage.internal;

import dev.proxystage.ForEachStage;
import dev.proxystage.PipelineStage;
import dev.proxystage.docker.StageEnvironment;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit glue behind {@link PipelineStage}. It only adapts: it works out the class's stage and hands JUnit's
 * callbacks to {@link StageAccess} and the stage's environment. Public only so that the annotation can name it; not
 * an API.
 */
public final class ProxyStageExtension extends StageCallbacks implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        environment(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        // A @ForEachStage method or class binds its own stage per invocation.
        return super.supportsParameter(parameter, context) && !inStageMatrix(context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<String> other = parameter.findAnnotation(PipelineStage.class).map(PipelineStage::value).filter(v -> !v.isBlank());
        if (other.isPresent()) {
            return StageAccess.inject(parameter, StageAccess.environment(context, StageAccess.config(context).stage(other.get())));
        }
        return super.resolveParameter(parameter, context);
    }

    @Override
    StageEnvironment environment(ExtensionContext context) {
        Optional<String> annotated = annotation(context).map(PipelineStage::value).filter(v -> !v.isBlank());
        return StageAccess.environment(context, StageAccess.config(context)
                .select(annotated.or(() -> StageAccess.setting(context, StageAccess.STAGE))));
    }

    private static boolean inStageMatrix(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, ForEachStage.class)).orElse(false)
                || AnnotationSupport.isAnnotated(context.getRequiredTestClass(), ForEachStage.class);
    }

    /** The annotation on the test class, a superclass, a composed annotation, or an enclosing class. */
    private static Optional<PipelineStage> annotation(ExtensionContext context) {
        for (Class<?> type = context.getRequiredTestClass(); type != null; type = type.getEnclosingClass()) {
            Optional<PipelineStage> found = AnnotationSupport.findAnnotation(type, PipelineStage.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
