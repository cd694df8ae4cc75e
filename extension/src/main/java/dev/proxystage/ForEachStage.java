package dev.proxystage;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test method, or every test of the annotated class, once per stage; the display name shows
 * the stage, and {@link Stage}, {@link StageClient} and {@code okhttp3.OkHttpClient} parameters belong to that
 * invocation's stage. {@code -Dproxystage.stages=wip,prep} narrows the matrix from the command line.
 *
 * <p>A method with this annotation is a template: it takes no {@code @Test}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ClassTemplate
@ExtendWith(ForEachStageExtension.class)
public @interface ForEachStage {

    /** The stages, in the order they run, e.g. {@code {"wip", "prep", "ship"}}. */
    String[] value();
}
