package dev.proxystage;

import dev.proxystage.spi.StageRun;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The JUnit extension behind {@link PipelineStage}, and its programmatic form:
 *
 * <pre>{@code
 * @RegisterExtension
 * static ProxyStageExtension prep = ProxyStageExtension.forStage("prep").profile("offline").build();
 * }</pre>
 *
 * It only adapts JUnit's callbacks to the run and its stages (see {@link StageRun}); the stage starts before the
 * class's first test and is shared with every class that asks for the same effective stage. A class may carry both
 * registrations (the annotation inherited, say): the {@code @RegisterExtension} instance then acts alone, and two
 * different stages fail the class with one line.
 */
public final class ProxyStageExtension extends StageCallbacks implements BeforeAllCallback {

    private final Optional<String> stage;
    private final Optional<Path> config;
    private final Optional<String> profile;

    /** The extension as {@link PipelineStage} registers it: the stage comes from the annotation. */
    public ProxyStageExtension() {
        this(Optional.empty(), Optional.empty(), Optional.empty());
    }

    private ProxyStageExtension(Optional<String> stage, Optional<Path> config, Optional<String> profile) {
        this.stage = stage;
        this.config = config;
        this.profile = profile;
    }

    /** A builder for an extension bound to {@code stage}. */
    public static Builder forStage(String stage) {
        return new Builder(Objects.requireNonNull(stage, "stage"));
    }

    /** Settings of a programmatic extension. */
    public static final class Builder {

        private final String stage;
        private Path config;
        private String profile;

        private Builder(String stage) {
            this.stage = stage;
        }

        /** The pipeline file instead of {@code proxystage.config}. */
        public Builder config(Path file) {
            this.config = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The profile instead of {@code proxystage.profile}. */
        public Builder profile(String name) {
            this.profile = Objects.requireNonNull(name, "name");
            return this;
        }

        public ProxyStageExtension build() {
            return new ProxyStageExtension(Optional.of(stage), Optional.ofNullable(config), Optional.ofNullable(profile));
        }
    }

    @Override
    Settings settings(ExtensionContext context) {
        Settings settings = super.settings(context);
        Settings.Builder changed = settings.toBuilder();
        config.ifPresent(changed::config);
        profile.ifPresent(changed::profile);
        return changed.build();
    }

    @Override
    String stageName(ExtensionContext context) {
        Optional<String> named = stage.or(() -> annotation(context).map(PipelineStage::value).flatMap(StageAccess::nonBlank));
        Settings settings = settings(context);
        return StageAccess.run(context).select(settings, named);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (acts(context)) {
            stage(context);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        // A @ForEachStage method or class binds its own stage per invocation.
        return super.supportsParameter(parameter, context) && !inStageMatrix(context);
    }

    /**
     * With a {@code @RegisterExtension} instance beside the annotation, that instance alone acts (claims parameters,
     * starts and reports), as WireMock's two registrations do.
     */
    @Override
    boolean acts(ExtensionContext context) {
        return !defersToRegistered(context);
    }

    /**
     * Whether this is the instance {@link PipelineStage} registered and the class also registers one through
     * {@code @RegisterExtension}: then that one alone acts. When the two name different stages, the class fails with
     * one line saying what to change, instead of JUnit's "competing ParameterResolvers".
     */
    private boolean defersToRegistered(ExtensionContext context) {
        if (stage.isPresent()) {
            return false;
        }
        Optional<ProxyStageExtension> registered = registered(context.getRequiredTestClass());
        if (registered.isEmpty()) {
            return false;
        }
        Optional<String> annotated = annotation(context).map(PipelineStage::value).flatMap(StageAccess::nonBlank);
        String programmatic = registered.get().stage.orElseThrow();
        if (annotated.isPresent() && !annotated.get().equals(programmatic)) {
            throw new ExtensionConfigurationException(context.getRequiredTestClass().getName() + ": @PipelineStage(\""
                    + annotated.get() + "\") and @RegisterExtension ProxyStageExtension.forStage(\"" + programmatic
                    + "\") name two stages for one class; keep one of them (a parameter can still ask for the other"
                    + " with @PipelineStage(\"" + annotated.get() + "\") Stage " + annotated.get() + ")");
        }
        return true;
    }

    /** The programmatic instance a {@code @RegisterExtension} field of {@code type} or its superclasses holds. */
    private static Optional<ProxyStageExtension> registered(Class<?> type) {
        for (Field field : AnnotationSupport.findAnnotatedFields(type, RegisterExtension.class)) {
            if (ProxyStageExtension.class.isAssignableFrom(field.getType()) && Modifier.isStatic(field.getModifiers())) {
                Object value = ReflectionSupport.tryToReadFieldValue(field, null).toOptional().orElse(null);
                if (value instanceof ProxyStageExtension extension && extension.stage.isPresent()) {
                    return Optional.of(extension);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Optional<String> other = parameter.findAnnotation(PipelineStage.class).map(PipelineStage::value).flatMap(StageAccess::nonBlank);
        if (other.isPresent()) {
            Settings settings = settings(context);
            String name = StageAccess.run(context).select(settings, other);
            return StageAccess.inject(parameter, StageAccess.usedInTest(context, StageAccess.stage(context, settings, name)));
        }
        return super.resolveParameter(parameter, context);
    }

    @Override
    boolean reportsDynamicTests(ExtensionContext context) {
        // in a @ForEachStage class, the invocation's own extension reports
        return !inStageMatrix(context);
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
