package dev.proxystage;

import dev.proxystage.spi.StageRun;
import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
final class ForEachStageExtension implements TestTemplateInvocationContextProvider, ClassTemplateInvocationContextProvider {

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
        Settings settings = StageAccess.settings(context);
        StageRun run = StageAccess.run(context);
        List<String> stages = Arrays.stream(annotation.value()).map(String::strip).distinct().toList();
        stages.forEach(stage -> run.select(settings, Optional.of(stage)));
        List<String> only = settings.stages();
        return only.isEmpty() ? stages : stages.stream().filter(only::contains).toList();
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
        String stageName(ExtensionContext context) {
            return stage;
        }
    }
}
