package dev.proxystage.internal.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PCRE as nginx compiles it, read by Java: the same strings, or no answer. */
class NginxRegexTest {

    private static boolean matches(String pcre, String text) {
        return NginxRegex.compile(pcre, false).orElseThrow().find(text).isPresent();
    }

    @Test
    void pythonStyleAndUnderscoredGroupNamesKeepTheirNginxNames() {
        NginxRegex regex = NginxRegex.compile("^/(?P<app_name>[a-z]+)/(?<id>\\d+)$", false).orElseThrow();

        NginxRegex.Captures c = regex.find("/shop/42").orElseThrow();

        assertThat(c.named()).containsEntry("app_name", "shop").containsEntry("id", "42");
        assertThat(c.group(1)).isEqualTo("shop");
        assertThat(c.group(3)).isEmpty();
        assertThat(matches("^/(?P<a>x)(?P=a)$", "/xx")).isTrue();
    }

    @Test
    void posixClassesBracketsAndBracesMeanWhatPcreMeans() {
        assertThat(matches("^/[[:digit:]]+$", "/123")).isTrue();
        assertThat(matches("^/[[:digit:]]+$", "/12:")).isFalse();
        assertThat(matches("^/[a[]$", "/[")).isTrue();
        assertThat(matches("^/[a&&b]$", "/&")).isTrue();
        assertThat(matches("^/[]a]$", "/]")).isTrue();
        assertThat(matches("^/lit{x}$", "/lit{x}")).isTrue();
        assertThat(matches("^/\\d{3}$", "/123")).isTrue();
        assertThat(matches("^/\\d{3}$", "/12")).isFalse();
    }

    @Test
    void caselessOnlyForTilde() {
        assertThat(NginxRegex.compile("\\.JPG$", true).orElseThrow().find("/a.jpg")).isPresent();
        assertThat(NginxRegex.compile("\\.JPG$", false).orElseThrow().find("/a.jpg")).isEmpty();
    }

    @Test
    void constructsJavaReadsOtherwiseGiveNoAnswer() {
        assertThat(NginxRegex.compile("^(a(?R)?b)$", false)).isEmpty();
        assertThat(NginxRegex.compile("^/(?|a|b)$", false)).isEmpty();
        assertThat(NginxRegex.compile("^/a\\Kb", false)).isEmpty();
        assertThat(NginxRegex.compile("^(a)\\g{1}$", false)).isEmpty();
        assertThat(NginxRegex.compile("^/(?(1)a|b)$", false)).isEmpty();
        assertThat(NginxRegex.compile("^/(?U)a+", false)).isEmpty();
        assertThat(NginxRegex.compile("^/(?#note)a", false)).isEmpty();
        assertThat(NginxRegex.compile("^/[[:nope:]]", false)).isEmpty();
        assertThat(NginxRegex.compile("^/(a", false)).isEmpty();
    }
}
