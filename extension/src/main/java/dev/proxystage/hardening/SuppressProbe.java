package dev.proxystage.hardening;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Switches one hardening probe off for a test class (and its subclasses) or a test method, with the reason why.
 *
 * <pre>{@code
 * @PipelineStage("prep")
 * @SuppressProbe(value = "version-disclosure", reason = "the upstream image sets server_tokens; tracked in OPS-42")
 * class PrepHardeningIT extends HardeningProbesContract {
 * }
 * }</pre>
 *
 * <p>{@link dev.proxystage.hardening.HardeningProbesContract} reads it from its test class; elsewhere, pass
 * {@link dev.proxystage.hardening.Suppression#declaredOn(java.lang.reflect.AnnotatedElement...)} (or
 * {@code Suppression.declaredOn(testInfo)}) to {@code assertThat(stage).passesHardeningProbes(...)}.
 *
 * <p>Probe ids: {@code default-server}, {@code header-splitting}, {@code alias-traversal},
 * {@code version-disclosure}, {@code forwarded-headers}, {@code plain-http}, {@code tls-protocols}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(SuppressProbe.List.class)
public @interface SuppressProbe {

    /** The probe id, e.g. {@code "version-disclosure"}. */
    String value();

    /** Why the probe does not apply here; required, and shown in the probe report. */
    String reason();

    /** The container of repeated {@link SuppressProbe} annotations. */
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @interface List {
        SuppressProbe[] value();
    }
}
