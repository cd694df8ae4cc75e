package dev.proxystage.hardening;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.TestInfo;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * One hardening probe switched off, with the reason. The probe does not run; the report lists it with the reason.
 *
 * @param probe  the probe switched off
 * @param reason why; never blank
 */
public record Suppression(Probe probe, String reason) {

    public Suppression {
        Objects.requireNonNull(probe, "probe");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("switching off hardening probe '" + probe.id() + "' needs a reason");
        }
        reason = reason.strip();
    }

    /**
     * Switches off the probe with this id, e.g. {@code Suppression.of("version-disclosure", "OPS-42")}.
     *
     * @throws IllegalArgumentException for an unknown probe id or a blank reason
     */
    public static Suppression of(String probeId, String reason) {
        return new Suppression(Probe.byId(probeId), reason);
    }

    /** The suppression one {@link SuppressProbe} annotation declares. */
    public static Suppression of(SuppressProbe annotation) {
        return of(annotation.value(), annotation.reason());
    }

    /**
     * Every {@link SuppressProbe} on these classes (their superclasses and enclosing classes included) and methods,
     * in order, without duplicates.
     */
    public static List<Suppression> declaredOn(AnnotatedElement... elements) {
        Set<Suppression> found = new LinkedHashSet<>();
        for (AnnotatedElement element : elements) {
            if (element instanceof Class<?> type) {
                for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
                    AnnotationSupport.findRepeatableAnnotations(c, SuppressProbe.class).forEach(a -> found.add(of(a)));
                }
            } else if (element != null) {
                AnnotationSupport.findRepeatableAnnotations(element, SuppressProbe.class).forEach(a -> found.add(of(a)));
            }
        }
        return List.copyOf(found);
    }

    /** Every {@link SuppressProbe} on the current test's class and method: {@code declaredOn(testInfo)}. */
    public static List<Suppression> declaredOn(TestInfo testInfo) {
        List<AnnotatedElement> elements = new ArrayList<>();
        testInfo.getTestClass().ifPresent(elements::add);
        testInfo.getTestMethod().ifPresent(elements::add);
        return declaredOn(elements.toArray(AnnotatedElement[]::new));
    }

    @Override
    public String toString() {
        return probe.id() + " (" + reason + ")";
    }
}
