package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Each form of the compose specification's interpolation, with a set, an empty and an unset variable. */
class ComposeInterpolationTest {

    private static final Map<String, String> ENV = Map.of("SET", "value", "EMPTY", "", "FALLBACK", "fallback");

    private static String expand(String text) throws ComposeInterpolation.Failure {
        return ComposeInterpolation.interpolate(text, name -> Optional.ofNullable(ENV.get(name))).value();
    }

    @Test
    void directSubstitution() throws Exception {
        assertThat(expand("${SET}")).isEqualTo("value");
        assertThat(expand("$SET/x")).isEqualTo("value/x");
        assertThat(expand("a-${SET}-b")).isEqualTo("a-value-b");
        assertThat(expand("${UNSET}")).isEmpty();
        assertThat(expand("$UNSET.x")).isEqualTo(".x");
    }

    @Test
    void defaultsTellUnsetFromEmpty() throws Exception {
        assertThat(expand("${SET:-d}")).isEqualTo("value");
        assertThat(expand("${EMPTY:-d}")).isEqualTo("d");
        assertThat(expand("${UNSET:-d}")).isEqualTo("d");
        assertThat(expand("${EMPTY-d}")).isEmpty();
        assertThat(expand("${UNSET-d}")).isEqualTo("d");
        assertThat(expand("${UNSET:-}")).isEmpty();
    }

    @Test
    void alternativesTellUnsetFromEmpty() throws Exception {
        assertThat(expand("${SET:+alt}")).isEqualTo("alt");
        assertThat(expand("${EMPTY:+alt}")).isEmpty();
        assertThat(expand("${EMPTY+alt}")).isEqualTo("alt");
        assertThat(expand("${UNSET+alt}")).isEmpty();
    }

    @Test
    void requiredVariablesFailWithTheirMessage() throws Exception {
        assertThat(expand("${SET:?needed}")).isEqualTo("value");
        assertThat(expand("${EMPTY?needed}")).isEmpty();
        assertThatThrownBy(() -> expand("${EMPTY:?set a password}"))
                .hasMessage("required variable EMPTY is empty: set a password");
        assertThatThrownBy(() -> expand("${UNSET?}")).hasMessage("required variable UNSET is not set");
        ComposeInterpolation.Failure failure = Assertions.assertThrows(
                ComposeInterpolation.Failure.class, () -> expand("${UNSET:?from ${SET}}"));
        assertThat(failure.getMessage()).isEqualTo("required variable UNSET is not set: from value");
        assertThat(failure.variable()).contains("UNSET");
    }

    @Test
    void operandsNestAndDoubleDollarsAreLiteral() throws Exception {
        assertThat(expand("${UNSET:-${FALLBACK}}")).isEqualTo("fallback");
        assertThat(expand("${UNSET:-${ALSO_UNSET:-deep}}")).isEqualTo("deep");
        assertThat(expand("$${SET}")).isEqualTo("${SET}");
        assertThat(expand("$$SET")).isEqualTo("$SET");
        assertThat(expand("cost: 5$ and $1 and $")).isEqualTo("cost: 5$ and $1 and $");
    }

    @Test
    void malformedExpressionsAreRefused() {
        assertThatThrownBy(() -> expand("${SET")).hasMessageContaining("\"${\" without its \"}\"");
        assertThatThrownBy(() -> expand("${}")).hasMessageContaining("names no variable");
        assertThatThrownBy(() -> expand("${SET/a/b}")).hasMessageContaining("not shell patterns");
    }

    @Test
    void theResultNamesWhatItReadAndWhatWasUnset() throws Exception {
        ComposeInterpolation.Result result = ComposeInterpolation.interpolate("${SET}-${UNSET}-${UNSET2:-x}-$SET",
                name -> Optional.ofNullable(ENV.get(name)));
        assertThat(result.variables()).containsExactly("SET", "UNSET", "UNSET2");
        assertThat(result.unset()).containsExactly("UNSET");
    }
}
