package dev.proxystage.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proxystage.ProxyStageException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** compose's env_file format, rule by rule. */
class EnvFileTest {

    private static final Path FILE = Path.of("app.env");

    private static Map<String, String> parse(String text) {
        return EnvFile.parse(FILE, text, name -> Optional.ofNullable(Map.of("HOME_DIR", "/home/u").get(name)));
    }

    @Test
    void readsTheFormsTheSpecificationNames() {
        Map<String, String> values = parse("""
                # a comment

                PLAIN=value
                SPACED = spaced value # comment
                HASH=value#not-a-comment
                DOUBLE="quoted # not a comment" # comment
                SINGLE='$HOME_DIR stays'
                ESCAPED="tab\\there \\"quoted\\""
                SINGLE_ESCAPED='Let\\'s go'
                EMPTY=
                UNSET_ONE
                export EXPORTED=yes
                FROM_ENV=${HOME_DIR}/data
                FROM_FILE="$PLAIN-x"
                MULTI="line one
                line two"
                """);

        assertThat(values).containsEntry("PLAIN", "value").containsEntry("SPACED", "spaced value")
                .containsEntry("HASH", "value#not-a-comment").containsEntry("DOUBLE", "quoted # not a comment")
                .containsEntry("SINGLE", "$HOME_DIR stays").containsEntry("ESCAPED", "tab\there \"quoted\"")
                .containsEntry("SINGLE_ESCAPED", "Let's go").containsEntry("EMPTY", "")
                .containsEntry("EXPORTED", "yes").containsEntry("FROM_ENV", "/home/u/data")
                .containsEntry("FROM_FILE", "value-x").containsEntry("MULTI", "line one\nline two")
                .doesNotContainKey("UNSET_ONE");
    }

    @Test
    void badLinesNameTheFileAndLine() {
        assertThatThrownBy(() -> parse("A=1\n=2\n")).isInstanceOf(ProxyStageException.class)
                .hasMessage("app.env:2: '' is not a variable name (VAR=VALUE lines, # comments)");
        assertThatThrownBy(() -> parse("A=1\nB=\"open\nC=2\n")).hasMessage("app.env:2: the value of B opens a double quote that is never closed");
        assertThatThrownBy(() -> parse("A='x' y\n")).hasMessage("app.env:1: 'y' after the quoted value of A (a comment starts with #)");
        assertThatThrownBy(() -> parse("A=${NOPE:?needed}\n")).hasMessage("app.env:1: A: required variable NOPE is not set: needed");
    }
}
