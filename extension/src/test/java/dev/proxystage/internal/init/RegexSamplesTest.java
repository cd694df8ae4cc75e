package dev.proxystage.internal.init;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proxystage.internal.nginx.ConfFixtures;
import dev.proxystage.internal.nginx.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegexSamplesTest {

    @Test
    void aHostNameThatMatchesPrefersLetters() {
        assertThat(RegexSamples.hostName("^(?<user>[a-z0-9-]+)\\.pages\\.example\\.com$")).contains("a.pages.example.com");
        assertThat(RegexSamples.hostName("^(?P<app>\\w+)\\.example\\.com$")).contains("a.example.com");
    }

    @Test
    void digitsWhenTheRegexWantsThem() {
        assertThat(RegexSamples.hostName("^[0-9]{2,5}\\.code\\.example\\.com$")).contains("00.code.example.com");
        assertThat(RegexSamples.hostName("^app\\d+\\.example\\.com$")).contains("app0.example.com");
    }

    @Test
    void serverNameRegexesAreCaseless() {
        assertThat(RegexSamples.hostName("^APP\\.Example\\.com$")).contains("app.example.com");
    }

    @Test
    void anUnanchoredRegexGetsAWholeHostName() {
        // nginx finds the regex anywhere in the name; the sample is still a valid host.
        assertThat(RegexSamples.hostName("\\.example\\.org")).contains("a.example.org");
    }

    @Test
    void constructsAnAutomatonCannotExpressGiveNoSample() {
        assertThat(RegexSamples.hostName("^(?!www\\.).+\\.example\\.com$")).isEmpty();
        assertThat(RegexSamples.hostName("^(a)\\1\\.example\\.com$")).isEmpty();
        assertThat(RegexSamples.hostName("^\\s+$")).isEmpty();
        assertThat(RegexSamples.hostName("^[a-z")).isEmpty();
    }

    @Test
    void aRegexNoHostNameMatchesGivesNoSample() {
        assertThat(RegexSamples.hostName("^_+$")).isEmpty();
    }

    @Test
    void pathsForRegexLocations() {
        assertThat(RegexSamples.path("^(/_matrix|/_synapse/client)", false)).contains("/_matrix");
        assertThat(RegexSamples.path("\\.php$", false)).contains("/.php");
        assertThat(RegexSamples.path("^/API/", true)).contains("/api/");
    }

    @Test
    void anAnchorInsideTheRegexStillGivesASampleThatKeepsIt() {
        // (/|$): the prefix alone, or with a slash (LocationResolverIT, match.test /graph/ and /wsapi)
        assertThat(RegexSamples.path("^/(wsapi|graph)(/|$)", true)).contains("/graph");
        assertThat(RegexSamples.path("^/index\\.php(/|$)", false)).contains("/index.php");
        assertThat(RegexSamples.path("\\.php(?:$|/)", false)).contains("/.php");
        // the anchor the automaton drops still decides: nothing follows the end
        assertThat(RegexSamples.path("^/x$y", false)).isEmpty();
    }

    @Test
    void pathSamplesHaveNoEmptySegmentNginxWouldMerge() {
        // "/_/static//" would match, but nginx merges "//" first and then matches "/_/static/", which it does not
        assertThat(RegexSamples.path("^/[^/]+/static/.+$", false)).contains("/a/static/a");
        assertThat(RegexSamples.path("^/[^/]+/[^/]+/$", false)).contains("/a/a/");
    }

    @Test
    void capitalsTheRegexAsksForAreKept() {
        assertThat(RegexSamples.path("^/SOGo/so/", false)).contains("/SOGo/so/");
        // caseless: lower case where the regex leaves the choice
        assertThat(RegexSamples.path("^/SOGo/[A-Z]+$", true)).contains("/sogo/a");
        assertThat(RegexSamples.path("^/x/[^a-z]$", true)).contains("/x/-");
    }

    @Test
    void aNestedRegexLocationsSampleAlsoReachesTheLocationsAroundIt() throws IOException {
        Location sogo = location("location ^~ /SOGo { location ~* ^/SOGo/so/.*\\.(xml|js|html|xhtml)$ { } }");
        Location api = location("location /api/ { location ~ \\.json$ { } }");
        Location php = location("location ~ \\.php$ { location ~ ^/admin/ { } }");

        // mailcow: caseless inside a case-sensitive prefix, so the sample keeps the prefix's capitals
        assertThat(RegexSamples.path("^/SOGo/so/.*\\.(xml|js|html|xhtml)$", true, List.of(sogo))).contains("/SOGo/so/.js");
        assertThat(RegexSamples.path("\\.json$", false, List.of(api))).contains("/api/.json");
        assertThat(RegexSamples.path("^/admin/", false, List.of(php))).contains("/admin/.php");
        // nothing is in both
        assertThat(RegexSamples.path("^/other/", false, List.of(api))).isEmpty();
    }

    @TempDir
    Path dir;

    private Location location(String text) throws IOException {
        return ConfFixtures.parse(dir, "server { listen 80; " + text + " }").servers().get(0).locations().get(0);
    }
}
