package dev.proxystage;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against one pipeline stage: its own Docker network, its backends under their shared
 * aliases (healthy before nginx starts), and nginx with the real conf.d. The stage starts once per JVM however many
 * classes use it, and stops after the last one.
 *
 * <p>Test methods and constructors can take {@link Stage}, {@link StageClient} and {@code okhttp3.OkHttpClient}
 * parameters. On such a parameter, the annotation selects another stage: {@code @PipelineStage("prep") Stage prep}
 * gives a test of the wip stage a handle on prep as well, e.g. to check that the two are isolated.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ProxyStageExtension.class)
public @interface PipelineStage {

    /**
     * The stage, e.g. {@code "prep"}. Empty means: the {@code proxystage.stage} property, else {@code defaultStage}
     * in pipeline.yml.
     */
    String value() default "";
}
