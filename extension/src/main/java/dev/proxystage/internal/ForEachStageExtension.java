package dev.proxystage.internal;

import dev.proxystage.ForEachStage;
import dev.proxystage.config.PipelineConfig;
import dev.proxystage.docker.StageEnvironment;
import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit glue behind {@link ForEachStage}: one method or class invocation per stage, each with an extension
 * bound to its stage. Public only so that the annotation can name it; not an API.
 */
public final class ForEachStageExtension implements TestTemplateInvocationContextProvider, ClassTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, ForEachStage.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return stages(context, context.getRequiredTestMethod()).stream().map(Invocation::new);
    }

    @Override
    public boolean mayReturnZeroTestTemplateInvocationContexts(ExtensionContext context) {
        return true;
    }

    @Override
    public boolean supportsClassTemplate(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getRequiredTestClass(), ForEachStage.class);
    }

    @Override
    public Stream<? extends ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
        return stages(context, context.getRequiredTestClass()).stream().map(Invocation::new);
    }

    @Override
    public boolean mayReturnZeroClassTemplateInvocationContexts(ExtensionContext context) {
        return true;
    }

    /** The annotation's stages, each checked against pipeline.yml, narrowed by {@code proxystage.stages}. */
    private static List<String> stages(ExtensionContext context, AnnotatedElement element) {
        ForEachStage annotation = AnnotationSupport.findAnnotation(element, ForEachStage.class).orElseThrow();
        PipelineConfig config = StageAccess.config(context);
        List<String> stages = Arrays.stream(annotation.value()).map(String::strip).distinct().toList();
        stages.forEach(config::stage);
        Set<String> only = StageAccess.setting(context, StageAccess.STAGES)
                .map(list -> Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                        .collect(Collectors.toSet()))
                .orElse(null);
        return only == null ? stages : stages.stream().filter(only::contains).toList();
    }

    /** One invocation of a method or class template: named after its stage, with that stage bound. */
    private record Invocation(String stage) implements TestTemplateInvocationContext, ClassTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return "stage " + stage;
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new StageInvocation(stage));
        }

        @Override
        public void prepareInvocation(ExtensionContext context) {
            // nothing to prepare: the stage starts on first use
        }
    }

    /** Everything a single invocation needs from its stage. */
    private static final class StageInvocation extends StageCallbacks {

        private final String stage;

        StageInvocation(String stage) {
            this.stage = stage;
        }

        @Override
        StageEnvironment environment(ExtensionContext context) {
            return StageAccess.environment(context, StageAccess.config(context).stage(stage));
        }
    }
}
