package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Regexes nginx compiles with PCRE2: the mistakes both engines refuse, with PCRE2's words; nothing else. */
class PcreSyntaxTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "^/(foo$;pcre2_compile() failed: missing closing parenthesis in \"^/(foo$\"",
            "^/foo)$;pcre2_compile() failed: unmatched closing parenthesis in \"^/foo)$\" at \")$\"",
            "*\\.php$;pcre2_compile() failed: quantifier does not follow a repeatable item in \"*\\.php$\" at \"*\\.php$\"",
            "^/?*x;pcre2_compile() failed: quantifier does not follow a repeatable item in \"^/?*x\" at \"*x\"",
            "^/a|+b;pcre2_compile() failed: quantifier does not follow a repeatable item in \"^/a|+b\" at \"+b\"",
            "^/[abc;pcre2_compile() failed: missing terminating ] for character class in \"^/[abc\"",
            "^/a\\;pcre2_compile() failed: \\ at end of pattern in \"^/a\\\""})
    void structuralMistakesGetPcresMessageAndPosition(String pattern, String message) {
        assertThat(PcreSyntax.check(pattern)).contains(message);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"^/(?P<id>\\d+)$", "^/(?<id>\\d+)/(?'page'\\w+)$", "a*+b", "a++", "a?+", "a*?", "a{2,3}",
            "\\.(png|jpe?g)$", "[]a]", "[^]a]", "[[:alpha:]]+", "\\Q(\\E", "(?i)abc", "(?:a|b)*", "^/(?!admin)",
            "a|", "()", "^$", "[(]", "\\(\\)", "^/~user", "(?#a comment)x", "^(?<a>x)(?P=a)$", "x{,3}", "^\\d+",
            "^/(?:\\.|autotest)", "(*UTF)x", "(?x) a b ", "\\p{L}+", "a{", "^*", "\\b*"})
    void validOrUncertainPatternsAreNotRefused(String pattern) {
        assertThat(PcreSyntax.check(pattern)).isEmpty();
    }

    @Test
    void namedGroupsBecomeVariables() {
        assertThat(PcreSyntax.namedGroups("^/(?<user>[a-z]+)/(?P<page>\\d+)/(?'tab'\\w+)(?<=x)(?<!y)\\(?<no>)"))
                .containsExactly("user", "page", "tab");
    }
}
