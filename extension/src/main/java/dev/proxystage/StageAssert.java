package dev.proxystage;

import org.assertj.core.api.AbstractAssert;

/** Assertions on a running {@link Stage} as a whole. */
public final class StageAssert extends AbstractAssert<StageAssert, Stage> {

    StageAssert(Stage actual) {
        super(actual, StageAssert.class);
    }
}
