package dev.proxystage.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerNamesTest {

    private static final String REGEX = "~^(?<app>.+)\\.example\\.com$";

    @Test
    void exactNameIsItsOwnSanAndTestName() {
        ServerNames.Resolved resolved = ServerNames.resolve("vw.example.com", Map.of());

        assertThat(resolved.kind()).isEqualTo(ServerNames.Kind.EXACT);
        assertThat(resolved.subjectAlternativeNames()).containsExactly("vw.example.com");
        assertThat(resolved.testHostName()).contains("vw.example.com");
    }

    @Test
    void namesAreLowercasedLikeNginxDoes() {
        assertThat(ServerNames.resolve("VW.Example.COM", Map.of()).subjectAlternativeNames())
                .containsExactly("vw.example.com");
    }

    @Test
    void leadingWildcardKeepsTheWildcardSanAndTestsWithTestLabel() {
        ServerNames.Resolved resolved = ServerNames.resolve("*.example.com", Map.of());

        assertThat(resolved.kind()).isEqualTo(ServerNames.Kind.LEADING_WILDCARD);
        assertThat(resolved.subjectAlternativeNames()).containsExactly("*.example.com");
        assertThat(resolved.testHostName()).contains("test.example.com");
    }

    @Test
    void dotShorthandCoversTheDomainAndItsSubdomains() {
        ServerNames.Resolved resolved = ServerNames.resolve(".example.com", Map.of());

        assertThat(resolved.kind()).isEqualTo(ServerNames.Kind.DOMAIN_AND_SUBDOMAINS);
        assertThat(resolved.subjectAlternativeNames()).containsExactly("example.com", "*.example.com");
        assertThat(resolved.testHostName()).contains("example.com");
    }

    @Test
    void trailingWildcardBecomesProxyStageTestDomain() {
        ServerNames.Resolved resolved = ServerNames.resolve("vw.*", Map.of());

        assertThat(resolved.kind()).isEqualTo(ServerNames.Kind.TRAILING_WILDCARD);
        assertThat(resolved.subjectAlternativeNames()).containsExactly("vw.proxystage.test");
        assertThat(resolved.testHostName()).contains("vw.proxystage.test");
    }

    @Test
    void underscoreAndEmptyNameGiveNoSanAndNoTestName() {
        for (String name : List.of("_", "\"\"", "")) {
            ServerNames.Resolved resolved = ServerNames.resolve(name, Map.of());
            assertThat(resolved.kind()).as(name).isEqualTo(ServerNames.Kind.NO_HOST);
            assertThat(resolved.subjectAlternativeNames()).as(name).isEmpty();
            assertThat(resolved.testHostName()).as(name).isEmpty();
        }
    }

    @Test
    void localhostIsAnOrdinaryName() {
        assertThat(ServerNames.resolve("localhost", Map.of()).subjectAlternativeNames()).containsExactly("localhost");
        assertThat(ServerNames.testHostName("localhost", Map.of())).contains("localhost");
    }

    @Test
    void ipAddressesGiveIpSans() {
        ServerNames.Resolved v4 = ServerNames.resolve("192.0.2.7", Map.of());
        assertThat(v4.kind()).isEqualTo(ServerNames.Kind.IP_ADDRESS);
        assertThat(v4.subjectAlternativeNames()).containsExactly("192.0.2.7");

        ServerNames.Resolved v6 = ServerNames.resolve("[2001:db8::7]", Map.of());
        assertThat(v6.kind()).isEqualTo(ServerNames.Kind.IP_ADDRESS);
        assertThat(v6.subjectAlternativeNames()).containsExactly("2001:db8::7");
        assertThat(v6.testHostName()).contains("2001:db8::7");
    }

    @Test
    void aRegexGetsTheShortestHostItMatchesWithOpenPartsFilledFromProxyStageTest() {
        ServerNames.Resolved resolved = ServerNames.resolve(REGEX, Map.of());

        assertThat(resolved.kind()).isEqualTo(ServerNames.Kind.REGEX);
        assertThat(resolved.testHostName()).contains("proxystage.example.com");
        assertThat(resolved.subjectAlternativeNames()).containsExactly("proxystage.example.com");
        assertThat(ServerNames.problem(REGEX, Map.of())).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " => ", textBlock = """
            ~^[0-9]{1,10}\\.app\\..*$ => 0.app.proxystage.test
            "~^[0-9]{1,10}\\.app\\..*$" => 0.app.proxystage.test
            ~^www\\.(?<domain>.+)$ => www.proxystage.test
            ~^(?P<app>[^.]+)\\.example\\.com$ => proxystage.example.com
            ~^app\\.(.+)\\.example\\.com$ => app.proxystage.example.com
            ~^api\\.example\\.com$ => api.example.com
            ~^\\d+-v\\d\\.example\\.org$ => 0-v0.example.org
            ~^(?:www\\.)?shop\\.example\\.com$ => shop.example.com
            ~^(eu|us)-[a-z]{2,3}\\.example\\.com$ => eu-aa.example.com
            ~^[\\w-]+?\\.internal$ => proxystage.internal
            ~^SHOP\\.Example\\.com$ => shop.example.com
            ~example\\.net => example.net
            ~^.*$ => proxystage.test
            """)
    void regexTestNamesAreDerived(String serverName, String expected) {
        String derived = ServerNames.testHostName(serverName, Map.of()).orElseThrow();

        assertThat(derived).isEqualTo(expected);
        assertThat(ServerNames.nginxMatches(serverName, derived)).as("nginx routes it there").isTrue();
    }

    @Test
    void aRegexThatCannotBeTranslatedFailsWithOneLineHowTo() {
        String lookahead = "~^(?!admin)(?<app>.+)\\.example\\.com$";
        assertThatThrownBy(() -> ServerNames.resolve(lookahead, Map.of()))
                .isInstanceOf(ServerNameException.class)
                .satisfies(e -> {
                    assertThat(((ServerNameException) e).serverName()).isEqualTo(lookahead);
                    assertThat(e.getMessage())
                            .startsWith("server_name \"" + lookahead + "\" is a regular expression that uses a lookahead "
                                    + "(\"(?!a\"), so ProxyStage cannot derive a host name to test with")
                            .contains("tls: { testNames: { '" + lookahead + "': ")
                            .doesNotContain("\n");
                });
        assertThat(ServerNames.problem("~^(\\w+)\\.\\1\\.com$", Map.of())).hasValueSatisfying(message -> assertThat(message)
                .contains("uses \"\\1\", which ProxyStage cannot turn into a host name (a back-reference)"));
        assertThat(ServerNames.problem("~^a$b\\.com$", Map.of())).hasValueSatisfying(message -> assertThat(message)
                .contains("uses \"$\" inside the expression"));
        assertThat(ServerNames.problem("~^[[:alpha:]]+\\.com$", Map.of())).hasValueSatisfying(message -> assertThat(message)
                .contains("uses a POSIX class"));
        assertThat(ServerNames.problem("~^a++\\.com$", Map.of())).hasValueSatisfying(message -> assertThat(message)
                .contains("uses a possessive quantifier"));
        assertThat(ServerNames.problem("~^[ ]+$", Map.of())).hasValueSatisfying(message -> assertThat(message)
                .contains("matches no host name"));
        // With a test name, nothing needs deriving.
        assertThat(ServerNames.testHostName(lookahead, Map.of(lookahead, "shop.example.com"))).contains("shop.example.com");
    }

    @Test
    void translationToBricsSyntaxEscapesLiteralsAndDropsWhatDoesNotChangeTheLanguage() throws Exception {
        assertThat(RegexHosts.translate("^(?<app>[^.]+)\\.example\\.com$")).isEqualTo("([^\\.]+)\\.example\\.com");
        assertThat(RegexHosts.translate("a\"b&c~d#e@f<1>")).isEqualTo("a\\\"b\\&c\\~d\\#e\\@f\\<1\\>");
        assertThat(RegexHosts.translate("\\d{2,}?x{y")).isEqualTo("[0-9]{2,}x\\{y");
        assertThat(RegexHosts.translate("[-a\\d-]")).isEqualTo("[\\-a0-9\\-]");
    }

    @Test
    void regexWithTestNameUsesIt() {
        Map<String, String> testNames = Map.of(REGEX, "vw.example.com");

        ServerNames.Resolved resolved = ServerNames.resolve(REGEX, testNames);

        assertThat(resolved.kind()).isEqualTo(ServerNames.Kind.REGEX);
        assertThat(resolved.subjectAlternativeNames()).containsExactly("vw.example.com");
        assertThat(resolved.testHostName()).contains("vw.example.com");
        assertThat(ServerNames.problem(REGEX, testNames)).isEmpty();
    }

    @Test
    void quotedRegexFindsTestNameGivenWithoutQuotes() {
        String quoted = "\"~^(?<name>\\w\\d{1,3}+)\\.example\\.net$\"";
        Map<String, String> testNames = Map.of(quoted.substring(1, quoted.length() - 1), "a123.example.net");

        assertThat(ServerNames.testHostName(quoted, testNames)).contains("a123.example.net");
    }

    @Test
    void testNameThatTheRegexDoesNotMatchIsRejected() {
        assertThatThrownBy(() -> ServerNames.resolve(REGEX, Map.of(REGEX, "vw.other.org")))
                .isInstanceOf(ServerNameException.class)
                .hasMessageContaining("nginx would not route that host");
    }

    @Test
    void testNameMustBeConcrete() {
        assertThatThrownBy(() -> ServerNames.resolve(REGEX, Map.of(REGEX, "*.example.com")))
                .isInstanceOf(ServerNameException.class)
                .hasMessageContaining("one concrete host name");
    }

    @Test
    void testNameOverridesDerivedNameAndIsAddedToSansUnlessAWildcardCoversIt() {
        ServerNames.Resolved trailing = ServerNames.resolve("vw.*", Map.of("vw.*", "vw.example.com"));
        assertThat(trailing.subjectAlternativeNames()).containsExactly("vw.example.com");
        assertThat(trailing.testHostName()).contains("vw.example.com");

        ServerNames.Resolved covered = ServerNames.resolve("*.example.com", Map.of("*.example.com", "api.example.com"));
        assertThat(covered.subjectAlternativeNames()).containsExactly("*.example.com");
        assertThat(covered.testHostName()).contains("api.example.com");

        // A certificate wildcard covers one label only, nginx's leading wildcard any number.
        ServerNames.Resolved deep = ServerNames.resolve("*.example.com", Map.of("*.example.com", "a.b.example.com"));
        assertThat(deep.subjectAlternativeNames()).containsExactly("*.example.com", "a.b.example.com");
    }

    @Test
    void hostnameVariableNeedsATestName() {
        assertThatThrownBy(() -> ServerNames.resolve("$hostname", Map.of()))
                .isInstanceOf(ServerNameException.class)
                .hasMessageContaining("tls: { testNames: { '$hostname': ");
        assertThat(ServerNames.testHostName("$hostname", Map.of("$hostname", "proxy.example.com")))
                .contains("proxy.example.com");
    }

    @Test
    void wildcardInTheMiddleIsRejected() {
        for (String name : List.of("www.*.example.com", "w*.example.com", "*")) {
            assertThatThrownBy(() -> ServerNames.resolve(name, Map.of()))
                    .as(name)
                    .isInstanceOf(ServerNameException.class)
                    .hasMessageContaining("\"*\" only as the whole first or last label");
        }
    }

    @Test
    void nonHostNamesAreRejected() {
        assertThatThrownBy(() -> ServerNames.resolve("example.com:8080", Map.of()))
                .isInstanceOf(ServerNameException.class)
                .hasMessageContaining("not a host name a certificate can carry");
    }

    @Test
    void sansOfAServerBlockAreCombinedWithoutDuplicates() {
        List<String> sans = ServerNames.subjectAlternativeNames(
                List.of("example.com", ".example.com", "vw.*", "_", "10.0.0.1", REGEX),
                Map.of(REGEX, "app.example.com"));

        // app.example.com is covered by *.example.com, so it is not repeated.
        assertThat(sans).containsExactly("example.com", "*.example.com", "vw.proxystage.test", "10.0.0.1");
    }

    @Test
    void testHostNamesOfAServerBlock() {
        assertThat(ServerNames.testHostNames(List.of("vw.example.com", "*.example.com", "_", "vw.example.com"),
                Map.of())).containsExactly("vw.example.com", "test.example.com");
    }

    @Test
    void unusedTestNamesAreReported() {
        Map<String, String> testNames = Map.of(REGEX, "vw.example.com", "~typo", "x.example.com");

        assertThat(ServerNames.unusedTestNames(List.of(REGEX, "vw.example.com"), testNames))
                .containsExactly("~typo");
    }

    @Test
    void nginxMatchingRules() {
        assertThat(ServerNames.nginxMatches("*.example.com", "a.b.example.com")).isTrue();
        assertThat(ServerNames.nginxMatches("*.example.com", "example.com")).isFalse();
        assertThat(ServerNames.nginxMatches(".example.com", "example.com")).isTrue();
        assertThat(ServerNames.nginxMatches("vw.*", "vw.example.org")).isTrue();
        assertThat(ServerNames.nginxMatches("vw.*", "vw.")).isFalse();
        assertThat(ServerNames.nginxMatches("~^(?P<app>.+)\\.example\\.com$", "VW.example.com")).isTrue();
    }
}
